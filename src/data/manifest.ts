import { readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { sha256File } from '../util/hash.js';
import { ARTIFACT_FILES, type PrepareManifest, type PrepareStats } from './artifacts.js';

/**
 * A work directory's manifest.json: reading it, checking that the outputs it lists are still what it recorded, and
 * retiring it before other outputs take their place (build.ts writes a new set, promote.ts moves a staged one in).
 */
export async function readManifest(dir: string): Promise<PrepareManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, ARTIFACT_FILES.manifest), 'utf8')) as PrepareManifest;
  } catch {
    return undefined;
  }
}

/**
 * The outputs in `dir` are what the manifest recorded for this fingerprint: every file it lists is there with its
 * size and, with `hashes`, its sha256. Returns their stats.json, or null when anything is missing or differs.
 */
export async function intactOutputs(
  dir: string,
  manifest: PrepareManifest | undefined,
  fingerprint: string,
  { hashes = false }: { hashes?: boolean } = {},
): Promise<PrepareStats | null> {
  try {
    if (!manifest || manifest.fingerprint !== fingerprint) return null;
    for (const [name, out] of Object.entries(manifest.outputs)) {
      // prepare only writes names inside its directory; a manifest naming anything else is not one it wrote.
      if (isAbsolute(name) || name.split('/').includes('..')) return null;
      const path = join(dir, name);
      if ((await stat(path)).size !== out.bytes) return null;
      if (hashes && (await sha256File(path)) !== out.sha256) return null;
    }
    return JSON.parse(await readFile(join(dir, ARTIFACT_FILES.stats), 'utf8')) as PrepareStats;
  } catch {
    return null;
  }
}

/**
 * Before a new set of outputs takes the place of `previous`: the old manifest goes first, so that an interrupted
 * replacement is never mistaken for a finished one, then every file of the previous manifest that the new set does
 * not have (a job chunk fewer, data.items removed), and items.csv or users.csv even when no manifest lists them.
 */
export async function retireOutputs(dir: string, previous: PrepareManifest | undefined, kept: (name: string) => boolean): Promise<void> {
  await rm(join(dir, ARTIFACT_FILES.manifest), { force: true });
  const stale = [...Object.keys(previous?.outputs ?? {}), ARTIFACT_FILES.items, ARTIFACT_FILES.users].filter((f) => !kept(f));
  for (const f of stale) await rm(join(dir, f), { force: true });
}

import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { ARTIFACT_FILES, type PrepareManifest } from './artifacts.js';
import { describeSourceChanges } from './fingerprint.js';
import { intactOutputs, readManifest, retireOutputs } from './manifest.js';
import { emptyDownloadStats } from './object-store.js';
import type { PrepareResult, StaleOutputs } from './prepare.js';

/**
 * `segflow plan` prepares changed data into a staging work dir, so that a plan never replaces the files the last
 * apply's segments and reports belong to. The apply after it would prepare the very same outputs again; instead,
 * when the staged prepare is complete and of this fingerprint, its outputs are moved into the work dir.
 *
 * Returns undefined (prepare runs as usual) when the staged copy is absent, of another fingerprint, or not whole.
 * Every output's sha256 is checked, not only its size as an up-to-date work dir is: the manifest's hashes name the
 * uploads, imports and jobs of the plan that follows, so a staged file changed since the plan wrote it must not be
 * taken for what the manifest says. Hashing reads each output once (~0.1 s for the seed article's 1.4M training
 * rows, about 50 MB, at ~400 MB/s), against the ~12 s CPU of preparing them, which hashes every output too.
 */
export async function promoteStaged(staged: string, to: StaleOutputs, progress: (message: string) => void): Promise<PrepareResult | undefined> {
  const { dir, fp, previous } = to;
  const manifest = await readManifest(staged);
  if (manifest?.fingerprint !== fp.fingerprint) return undefined;
  const stats = await intactOutputs(staged, manifest, fp.fingerprint, { hashes: true });
  if (!stats) {
    progress(`the data \`segflow plan\` prepared in ${staged} is incomplete or changed since; preparing again`);
    return undefined;
  }
  const changes = describeSourceChanges(previous?.sources, fp.sources);
  for (const c of changes) progress(c);
  await moveOutputs(staged, dir, manifest, previous);
  progress(`reused the data \`segflow plan\` prepared (fingerprint ${fp.fingerprint.slice(0, 12)}): moved ${staged} to ${dir}`);
  return {
    upToDate: false,
    fingerprint: fp.fingerprint,
    stats,
    workDir: dir,
    download: emptyDownloadStats(),
    changes,
    sources: fp.sources,
    reusedFrom: staged,
  };
}

/**
 * The publish of build.ts with renames for temporaries (both directories are under .segflow, one file system): the
 * old manifest and stale files go first, each output is renamed into place (atomic), the manifest comes last. The
 * staged manifest goes before its first file leaves, so the half-moved copy an interruption leaves is never taken
 * for a complete one either; the next run finds neither manifest and prepares again.
 */
async function moveOutputs(staged: string, dir: string, manifest: PrepareManifest, previous: PrepareManifest | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  await retireOutputs(dir, previous, (f) => Object.hasOwn(manifest.outputs, f));
  await rm(join(staged, ARTIFACT_FILES.manifest), { force: true });
  for (const name of Object.keys(manifest.outputs)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await rename(join(staged, name), join(dir, name));
  }
  await writeJsonAtomic(join(dir, ARTIFACT_FILES.manifest), manifest);
  await rm(staged, { recursive: true, force: true });
}

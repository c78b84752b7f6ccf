import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

/**
 * Never half a file: every output is written to a temporary sibling, fsynced, then renamed over the target.
 * A crash leaves either the old file or the new one, plus at worst a `.tmp-*` sibling that the next write ignores.
 */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Publishes a file that was produced elsewhere (e.g. by DuckDB into a temp path) atomically. */
export async function publishAtomic(producedTmp: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const fh = await open(producedTmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(producedTmp, target);
}

export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}

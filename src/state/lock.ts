import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { refusal } from '../util/errors.js';
import { isProcessAlive } from '../util/process-alive.js';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface Lock {
  holder: LockHolder;
  release(): Promise<void>;
}


async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/**
 * One apply/destroy per pipeline at a time: `<state>.lock` is created exclusively and names its holder.
 * A lock whose holder is a dead process on this host (kill -9, power loss) is taken over; a live holder, or
 * one on another host, is a refusal (exit 3) that names it.
 */
export async function acquireLock(path: string, command: string): Promise<Lock> {
  await mkdir(dirname(path), { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify(holder) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      return {
        holder,
        async release() {
          const current = await readHolder(path);
          if (current && current.pid === holder.pid && current.host === holder.host) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = await readHolder(path);
    if (other && other.host === holder.host && !isProcessAlive(other.pid)) {
      // Move the dead holder's lock aside atomically; only one contender wins the rename.
      const aside = `${path}.stale-${process.pid}`;
      try {
        await rename(path, aside);
        await rm(aside, { force: true });
      } catch {
        /* someone else took it over first; try again */
      }
      continue;
    }
    if (!other) {
      // Half-written lock from a crash between create and write: treat as stale.
      await rm(path, { force: true });
      continue;
    }
    throw refusal(
      'STATE_LOCKED',
      `another ${other.command} holds the lock: pid ${other.pid} on ${other.host} since ${other.since}`,
      [`lock file: ${path}`, 'wait for it to finish; if that process is gone on another machine, delete the lock file'],
    );
  }
  throw refusal('STATE_LOCKED', `could not acquire the lock ${path}`);
}

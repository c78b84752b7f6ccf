import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { refusal, type CodeWithExit } from './errors.js';
import { isProcessAlive } from './process-alive.js';

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

const instanceOf = (h: LockHolder) => `${h.pid}-${h.since}`.replace(/[^\w.-]/g, '_');

/**
 * Removes a stale lock instance so that contenders can race for a fresh one. Only the contender that creates the
 * instance's takeover marker exclusively may remove it, and only while the lock still is that instance: moving or
 * deleting "whatever is at the path" could remove a live lock that another contender took a moment earlier.
 */
async function takeOver(path: string, instance: string, stillStale: () => Promise<boolean>): Promise<void> {
  const marker = `${path}.takeover-${instance}`;
  try {
    const fh = await open(marker, 'wx');
    await fh.close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return; // another contender is taking it over
    throw e;
  }
  try {
    if (await stillStale()) await rm(path, { force: true });
  } finally {
    await rm(marker, { force: true });
  }
}

/**
 * One holder at a time (an apply/destroy per pipeline, an emulator per data directory): the lock file is created
 * exclusively and names its holder. A lock whose holder is a dead process on this host (kill -9, power loss) is
 * taken over; a live holder, or one on another host, is a refusal (exit 3) with `code` that names it.
 */
export async function acquireLock(path: string, command: string, code: CodeWithExit<3> = 'STATE_LOCKED'): Promise<Lock> {
  await mkdir(dirname(path), { recursive: true });
  const holder: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    // The lock appears complete or not at all: written to a private file, then hard-linked into place
    // (link fails with EEXIST like an exclusive create), so no contender ever reads a half-written lock.
    const fresh = `${path}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
    const fh = await open(fresh, 'wx');
    try {
      await fh.writeFile(JSON.stringify(holder) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await link(fresh, path);
      return {
        holder,
        async release() {
          const current = await readHolder(path);
          if (current && current.pid === holder.pid && current.host === holder.host) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await rm(fresh, { force: true });
    }
    const other = await readHolder(path);
    if (!other) {
      // Released meanwhile (try again), or unreadable: an unreadable lock is stale, taken over like a dead one.
      const st = await stat(path).catch(() => undefined);
      if (st)
        await takeOver(
          path,
          `corrupt-${st.ino}-${st.mtimeMs}`,
          async () => (await stat(path).catch(() => undefined))?.mtimeMs === st.mtimeMs && !(await readHolder(path)),
        );
      continue;
    }
    if (other.host === holder.host && !isProcessAlive(other.pid)) {
      await takeOver(path, instanceOf(other), async () => {
        const still = await readHolder(path);
        return !!still && instanceOf(still) === instanceOf(other);
      });
      continue;
    }
    throw refusal(code, `another ${other.command} holds the lock: pid ${other.pid} on ${other.host} since ${other.since}`, [
      `lock file: ${path}`,
      'wait for it to finish; if that process is gone on another machine, delete the lock file',
    ]);
  }
  throw refusal(code, `could not acquire the lock ${path}`);
}

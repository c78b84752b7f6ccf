/**
 * Test support (used only by *.test.ts): small deterministic interaction logs and temporary directories for the
 * tests of data preparation and the commands that run it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface Row {
  user: string;
  item: string;
  ts: number;
}

/**
 * A deterministic interaction log big enough to pass Personalize's minimums: `users` users with `perUser`
 * interactions each, spread over 2019-01-01 .. 2020-12-31 (so a 2020-01-01 split has both sides).
 */
export function makeRows(users = 60, perUser = 40, items = 40): Row[] {
  const rows: Row[] = [];
  const start = Date.UTC(2019, 0, 1) / 1000;
  const span = 2 * 365 * 86400;
  for (let u = 0; u < users; u++) {
    for (let k = 0; k < perUser; k++) {
      const item = (u * 7 + k * 13) % items;
      const ts = start + Math.floor((((u * 31 + k * 17) % 97) / 97) * span);
      rows.push({ user: `u${u}`, item: `i${item}`, ts });
    }
  }
  return rows;
}

export function toCsv(rows: Row[], ts: (r: Row) => string = (r) => String(r.ts)): string {
  return 'user,item,ts\n' + rows.map((r) => `${r.user},${r.item},${ts(r)}`).join('\n') + '\n';
}

export function toJsonl(rows: Row[]): string {
  return rows.map((r) => JSON.stringify({ user: r.user, item: r.item, ts: r.ts, note: 'x' })).join('\n') + '\n';
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'segflow-data-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function writeFixture(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, name.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

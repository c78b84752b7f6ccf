import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInteractions, type Interactions } from '../../src/model/dataset.js';
import { packageRoot } from '../../src/util/paths.js';
import { cleanEvents } from './protocol.js';
import { zipMember } from './zip-member.js';

/**
 * The public data sets of `npm run bench:model` (docs/model.md, "Public data sets"). Neither licence lets this
 * repository ship them, so the benchmark fetches each from its source and checks its sha256. Where the source is
 * out of reach (CI has no network), it looks for an already checked copy in $SEGFLOW_BENCH_DATA, in
 * ../shared/bench-data/ beside the checkout, or in its cache, and skips that data set (saying so) otherwise.
 */
export interface PublicDataset {
  name: string;
  title: string;
  file: string;
  sha256: string;
  url: string;
  zipMember?: string;
  licence: string;
  /** The notebook protocol's split (UTC). */
  split: string;
  /** USER_ID, ITEM_ID, TIMESTAMP columns of each data row (header already dropped). */
  row(line: string): [string, string, string] | null;
}

export const PUBLIC_DATASETS: PublicDataset[] = [
  {
    name: 'grocery',
    title: "Amazon Grocery and Gourmet Food 2014, 5-core (ReChorus train.csv: each user's last two reviews left out)",
    file: 'rechorus-grocery-train.csv',
    sha256: '75847958fbcfec35dd0a20bda43432c22a5d7e5b5fe571fef0b25ff580b475f4',
    url: 'https://raw.githubusercontent.com/THUwangcy/ReChorus/e58d752558634d42be60de561d6f74df748583cc/data/Grocery_and_Gourmet_Food/train.csv',
    licence: 'Amazon review data (McAuley et al.), research use; not redistributed here',
    split: '2014-01-01',
    row: (line) => {
      const f = line.split('\t');
      return f.length >= 3 ? [f[0]!, f[1]!, f[2]!.trim()] : null;
    },
  },
  {
    name: 'movielens',
    title: 'MovieLens latest-small (2018-09-26): 100,836 ratings of 610 users',
    file: 'ml-latest-small-ratings.csv',
    sha256: 'aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646',
    url: 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip',
    zipMember: 'ml-latest-small/ratings.csv',
    licence: 'GroupLens research licence (no commercial use; redistribution only under the same terms); not redistributed here',
    split: '2018-01-01',
    row: (line) => {
      const f = line.trim().split(',');
      return f.length === 4 ? [f[0]!, f[1]!, f[3]!] : null;
    },
  },
];

export const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function places(scratch: string): string[] {
  const env = process.env.SEGFLOW_BENCH_DATA;
  return [...(env ? [env] : []), join(packageRoot, '..', 'shared', 'bench-data'), join(scratch, 'data')];
}

/** The checked file's bytes, or why there are none. */
export async function obtain(d: PublicDataset, scratch: string): Promise<{ bytes: Buffer; from: string } | { missing: string }> {
  const bad: string[] = [];
  for (const dir of places(scratch)) {
    const path = join(dir, d.file);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    if (sha256Of(bytes) === d.sha256) return { bytes, from: path };
    bad.push(`${path} has sha256 ${sha256Of(bytes)}`);
  }
  try {
    const res = await fetch(d.url, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    const bytes = d.zipMember ? zipMember(body, d.zipMember) : body;
    if (sha256Of(bytes) !== d.sha256) throw new Error(`downloaded ${d.file} has sha256 ${sha256Of(bytes)}, expected ${d.sha256}`);
    mkdirSync(join(scratch, 'data'), { recursive: true });
    writeFileSync(join(scratch, 'data', d.file), bytes);
    return { bytes, from: d.url };
  } catch (e) {
    const why = (e as Error).cause ? `${(e as Error).message}: ${String((e as Error).cause)}` : (e as Error).message;
    return {
      missing:
        `cannot fetch ${d.url} (${why})` +
        (bad.length ? `; wrong copies: ${bad.join('; ')}` : '') +
        `; put a copy with sha256 ${d.sha256} at ${join('$SEGFLOW_BENCH_DATA', d.file)}`,
    };
  }
}

/** The file's events, cleaned as the notebook does (dedupe (user, item, time), users with more than 3). */
export function eventsOf(d: PublicDataset, bytes: Buffer): Interactions {
  const lines = ['USER_ID,ITEM_ID,TIMESTAMP'];
  const text = bytes.toString('utf8').split('\n');
  for (let n = 1; n < text.length; n++) {
    const r = text[n]!.trim() === '' ? null : d.row(text[n]!);
    if (r) lines.push(r.join(','));
  }
  return cleanEvents(parseInteractions(lines.join('\n') + '\n', d.file));
}

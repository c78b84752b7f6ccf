import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { tempPathFor } from '../util/atomic-write.js';

/**
 * Synthetic reviews in the Amazon review data (2018) JSON-lines format, shaped like the seed article's
 * Grocery_and_Gourmet_Food file: most users review once, activity is heavy-tailed (Pareto), item popularity is
 * Zipf-like, each user has 1-3 taste clusters (80% of reviews fall in one of them), reviews span 2000..2018-10,
 * and ~2% of rows repeat the user's previous review exactly. Deterministic for a seed; streamed, so memory stays
 * small at any size. With itemsOut, item metadata in the Amazon review data (2018) metadata shape (asin, title,
 * brand, main_cat, price, and `category` as a list from the top level down to the item's taste cluster; 10% of
 * items also list a second cluster), so attribute segments have a known truth and the shipped grocery pipelines
 * read it exactly as they read the real meta_Grocery_and_Gourmet_Food file.
 */
export interface SampleDataOptions {
  out: string;
  reviews: number;
  seed?: number;
  itemsOut?: string;
  clusters?: number;
}

export interface SampleDataResult {
  reviews: number;
  users: number;
  items: number;
}

/** sfc32: small, fast, seedable; the same seed gives the same file on any machine. */
export function rng(seed: number): () => number {
  let a = 0x9e3779b9 ^ seed,
    b = 0x243f6a88,
    c = 0xb7e15162 ^ (seed * 31),
    d = 1;
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

const T0 = 946684800; // 2000-01-01
const T1 = 1538352000; // 2018-10-01
const DAY = 86400;
const WORDS = ['good', 'tasty', 'fresh', 'sweet', 'bland', 'great', 'value', 'snack', 'coffee', 'tea', 'sauce', 'spicy'];
const NOUNS = ['Coffee', 'Tea', 'Snacks', 'Candy & Chocolate', 'Spices', 'Sauces', 'Pasta', 'Baking', 'Cereal', 'Beverages', 'Nuts', 'Dried Vegetables'];
const TOP_CATEGORY = 'Grocery & Gourmet Food';
const BRANDS = [
  'Starbucks',
  'Lipton',
  'Hershey',
  'McCormick',
  'Barilla',
  'Kellogg',
  'Planters',
  'Twinings',
  'Ghirardelli',
  'Heinz',
  'Nestle',
  "Bob's Red Mill",
];
const ADJECTIVES = ['', 'Organic ', 'Gourmet ', 'Imported ', 'Diet '];

/** An item's `category` list as Amazon's metadata has it: top level, then the cluster's noun, then its full name. */
export function categoryPath(cluster: number): string[] {
  const noun = NOUNS[cluster % NOUNS.length]!;
  const name = categoryName(cluster);
  return name === noun ? [TOP_CATEGORY, noun] : [TOP_CATEGORY, noun, name];
}

export function categoryName(cluster: number): string {
  const noun = NOUNS[cluster % NOUNS.length]!;
  const adj = ADJECTIVES[Math.floor(cluster / NOUNS.length) % ADJECTIVES.length]!;
  const round = Math.floor(cluster / (NOUNS.length * ADJECTIVES.length));
  return `${adj}${noun}${round ? ` ${round + 1}` : ''}`;
}

/** A bijection of 0..2^48-1 (odd multiplier mod 2^48), so reviewer ids are unique but not sequential. */
function reviewerId(u: number): string {
  const hi = 158,
    lo = 3635633; // 2654435761 = 158 * 2^24 + 3635633
  const v = (((u * hi) % 16777216) * 16777216 + u * lo) % 281474976710656;
  return 'A' + v.toString(16).toUpperCase().padStart(12, '0');
}
const asin = (i: number) => 'B' + String(i).padStart(9, '0');

function cumulative(weights: Float64Array): Float64Array {
  const c = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) c[i] = s += weights[i]!;
  return c;
}
function pick(cum: Float64Array, r: number): number {
  const x = r * cum[cum.length - 1]!;
  let lo = 0,
    hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

class Sink {
  private buf: string[] = [];
  private size = 0;
  private readonly file: WriteStream;
  private readonly head: NodeJS.WritableStream;
  readonly tmp: string;
  constructor(readonly path: string) {
    this.tmp = tempPathFor(path);
    this.file = createWriteStream(this.tmp);
    if (path.endsWith('.gz')) {
      const gz = createGzip({ level: 1, chunkSize: 1 << 20, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
      gz.pipe(this.file);
      this.head = gz;
    } else this.head = this.file;
  }
  /** Buffers a line; write() it out once `full` (an await per line costs more than the line at seed scale). */
  add(line: string): void {
    this.buf.push(line);
    this.size += line.length;
  }
  get full(): boolean {
    return this.size > 1 << 20;
  }
  async write(line: string): Promise<void> {
    this.add(line);
    if (this.full) await this.flush();
  }
  async flush(): Promise<void> {
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.head.write(chunk)) await new Promise<void>((r) => this.head.once('drain', () => r()));
  }
  async close(): Promise<void> {
    await this.flush();
    const done = new Promise<void>((resolve, reject) => {
      this.file.once('close', () => resolve());
      this.file.once('error', reject);
    });
    this.head.end();
    await done;
    await rename(this.tmp, this.path);
  }
  async abort(): Promise<void> {
    this.file.destroy();
    await rm(this.tmp, { force: true });
  }
}

export async function generateSampleData(opts: SampleDataOptions): Promise<SampleDataResult> {
  const R = opts.reviews;
  const random = rng(opts.seed ?? 7);
  const U = Math.max(100, Math.floor(R * 0.53));
  const I = Math.max(50, Math.floor(R * 0.057));
  const K = opts.clusters ?? 60;

  // Heavy-tailed activity (Lomax, alpha 1.75), scaled so that the total is exactly R.
  const raw = new Float64Array(U);
  let sum = 0;
  for (let u = 0; u < U; u++) sum += raw[u] = Math.pow(1 - random(), -1 / 1.75);
  const act = new Int32Array(U);
  let total = 0;
  for (let u = 0; u < U; u++) total += act[u] = Math.max(1, Math.round((raw[u]! / sum) * R));
  while (total < R) {
    act[Math.floor(random() * U)]! += 1;
    total++;
  }
  while (total > R) {
    const u = Math.floor(random() * U);
    if (act[u]! > 1) {
      act[u]! -= 1;
      total--;
    }
  }

  // Items: a taste cluster each, Zipf(0.9) popularity in shuffled order.
  const itemCluster = new Int32Array(I);
  const pop = new Float64Array(I);
  for (let i = 0; i < I; i++) {
    itemCluster[i] = Math.floor(random() * K);
    pop[i] = 1 / Math.pow(i + 1, 0.9);
  }
  for (let i = I - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = pop[i]!;
    pop[i] = pop[j]!;
    pop[j] = t;
  }
  const members: number[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < I; i++) members[itemCluster[i]!]!.push(i);
  const clusterCum = members.map((m) => cumulative(Float64Array.from(m, (i) => pop[i]!)));
  const globalCum = cumulative(pop);
  const texts = Array.from({ length: 64 }, (_, k) => Array.from({ length: 8 + ((k * 7) % 30) }, (_, w) => WORDS[(k + w) % WORDS.length]).join(' '));
  // Each item's asin and each day's reviewTime, made once rather than per review (5M reviews, 285k items, 6,800 days).
  const asins = Array.from({ length: I }, (_, i) => asin(i));
  const reviewTimes = new Map<number, string>();
  const reviewTimeOf = (ts: number) => {
    let text = reviewTimes.get(ts);
    if (text === undefined) {
      const d = new Date(ts * 1000);
      text = `${String(d.getUTCMonth() + 1).padStart(2, '0')} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
      reviewTimes.set(ts, text);
    }
    return text;
  };

  const sink = new Sink(opts.out);
  try {
    const tastes = [0, 0, 0];
    for (let u = 0; u < U; u++) {
      const n = act[u]!;
      const nt = 1 + Math.floor(random() * 3);
      for (let k = 0; k < 3; k++) tastes[k] = Math.floor(random() * K);
      const start = T0 + (T1 - T0) * Math.sqrt(random());
      const span = -Math.log(1 - random()) * 2 * 365 * DAY;
      const rid = reviewerId(u);
      let prevItem = -1,
        prevTs = 0;
      for (let r = 0; r < n; r++) {
        let item: number, ts: number;
        if (prevItem >= 0 && random() < 0.02) {
          item = prevItem;
          ts = prevTs;
        } else {
          const cl = tastes[Math.floor(random() * 3) % nt]!;
          const onTaste = random() < 0.8 && members[cl]!.length > 0;
          item = onTaste ? members[cl]![pick(clusterCum[cl]!, random())]! : pick(globalCum, random());
          ts = Math.floor(Math.min(start + random() * span, T1) / DAY) * DAY;
        }
        prevItem = item;
        prevTs = ts;
        sink.add(
          `{"overall": ${1 + ((u + item) % 5)}.0, "verified": ${(u ^ item) & 1 ? 'true' : 'false'}, "reviewTime": "${reviewTimeOf(ts)}", "reviewerID": "${rid}", "asin": "${asins[item]}", "reviewerName": "User ${u}", "reviewText": "${texts[(u + item) & 63]}", "summary": "${WORDS[item % WORDS.length]}", "unixReviewTime": ${ts}}\n`,
        );
        if (sink.full) await sink.flush();
      }
    }
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  if (opts.itemsOut) await writeItems(opts.itemsOut, itemCluster, K, random);
  return { reviews: R, users: U, items: I };
}

async function writeItems(path: string, itemCluster: Int32Array, K: number, random: () => number): Promise<void> {
  const csv = path.replace(/\.gz$/, '').endsWith('.csv');
  const sink = new Sink(path);
  try {
    if (csv) await sink.write('asin,title,brand,category\n');
    for (let i = 0; i < itemCluster.length; i++) {
      const category = categoryPath(itemCluster[i]!);
      if (random() < 0.1) category.push(categoryName(Math.floor(random() * K)));
      const title = `${WORDS[i % WORDS.length]} ${WORDS[(i >> 3) % WORDS.length]} ${i}`;
      const brand = BRANDS[Math.floor(random() * BRANDS.length)]!;
      const price = `$${(1 + random() * 40).toFixed(2)}`;
      await sink.write(
        csv
          ? `${asin(i)},${title},${brand},"${category.join('|')}"\n`
          : `${JSON.stringify({ category, description: [`${title}.`], title, brand, main_cat: TOP_CATEGORY, price, asin: asin(i) })}\n`,
      );
    }
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

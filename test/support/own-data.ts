import { mulberry32 } from '../../src/util/prng.js';

/**
 * A ratings log as a new user brings it (the traps of issue 21 on purpose): ~300 users, ~90 items, ~2,800 rows over
 * 200 days of 2021, with a `rating` column. Options write it the ways real files come: another date format, no
 * header row, another delimiter, ratings as `1.0`, and items that appear only late (cold in a late holdout).
 */
export interface RatingsOptions {
  /** How TIMESTAMP is written (default epoch seconds). */
  dates?: 'epoch' | 'us' | 'german';
  header?: boolean;
  delimiter?: string;
  /** Items first seen in the last 20% of the time: the test period's cold items. */
  lateItems?: boolean;
}

export interface Ratings {
  text: string;
  /** Every row's epoch second, ascending. */
  times: number[];
}

const pad = (n: number) => String(n).padStart(2, '0');

function dateText(epoch: number, style: RatingsOptions['dates']): string {
  const d = new Date(epoch * 1000);
  const [y, m, day, h, min] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate()), pad(d.getUTCHours()), pad(d.getUTCMinutes())];
  if (style === 'us') return `${m}/${day}/${y} ${h}:${min}`;
  if (style === 'german') return `${day}.${m}.${y} ${h}:${min}`;
  return String(epoch);
}

export function ratingsLog(o: RatingsOptions = {}): Ratings {
  const rand = mulberry32(7);
  const d = o.delimiter ?? ',';
  const start = Date.UTC(2021, 0, 1) / 1000;
  const span = 200 * 86400;
  const rows: string[] = [];
  const times: number[] = [];
  for (let u = 1; u <= 300; u++) {
    const n = 4 + Math.floor(rand() * 12);
    for (let j = 0; j < n; j++) {
      // Minutes only (the date formats above have no seconds), so every format reads back the same instant.
      const t = start + Math.floor((rand() * span) / 60) * 60;
      const late = o.lateItems && t > start + span * 0.8 && rand() < 0.5;
      const item = late ? 1000 + Math.floor(rand() * 40) : 1 + (u % 10) * 7 + Math.floor(rand() * 30);
      rows.push([u, item, (1 + Math.floor(rand() * 5)).toFixed(1), dateText(t, o.dates)].join(d));
      times.push(t);
    }
  }
  const header = o.header === false ? [] : [['userId', 'movieId', 'rating', 'timestamp'].join(d)];
  return { text: [...header, ...rows].join('\n') + '\n', times: times.sort((a, b) => a - b) };
}

/** A pipeline over ratings.csv; `extra` lines go under data.interactions, `top` replaces the default queries etc. */
export function ratingsPipeline(o: {
  columns?: string;
  interactions?: string[];
  testStart?: string;
  queries?: string;
  count?: number;
  filter?: string;
  source?: string;
}): string {
  return [
    'version: 1',
    'name: ratings',
    'target: { kind: local }',
    'data:',
    '  interactions:',
    `    source: ${o.source ?? 'ratings.csv'}`,
    `    columns: ${o.columns ?? '{ USER_ID: userId, ITEM_ID: movieId, TIMESTAMP: timestamp }'}`,
    ...(o.interactions ?? []).map((l) => `    ${l}`),
    '    minInteractionsPerUser: 2',
    `split: { testStart: ${o.testStart ?? '2021-06-10T00:00:00Z'} }`,
    `queries: ${o.queries ?? '{ items: { sample: 20, seed: 1 } }'}`,
    'storage: { bucket: segflow-ratings }',
    'recipe: aws-item-affinity',
    `segments: { numResults: { count: ${o.count ?? 5} }${o.filter ? `, filter: '${o.filter}'` : ''} }`,
    'budget: { maxUsd: 25 }',
    '',
  ].join('\n');
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../src/model/metrics.js';

/**
 * Synthetic data for item-attribute-affinity: users with 1-3 taste clusters buy mostly (80%) within them;
 * an item's CATEGORY is its cluster (sometimes with a second, random value: "c07|c21"), BRAND is noise.
 * Timestamps span one year; the last 35 days are the test period. Deterministic for a seed.
 */
export interface AttributeData {
  interactionsCsv: string;
  itemsCsv: string;
  splitEpoch: number;
  categories: string[];
}

export function writeAttributeData(dir: string, seed = 3, users = 20000, items = 5000, clusters = 30): AttributeData {
  const rand = prng(seed);
  const day = 86400;
  const t0 = Date.parse('2024-01-01T00:00:00Z') / 1000;
  const cluster = Int32Array.from({ length: items }, () => Math.floor(rand() * clusters));
  const pop = Float64Array.from({ length: items }, (_, i) => 1 / Math.pow(1 + ((i * 7919) % items), 0.8));
  const byCluster: number[][] = Array.from({ length: clusters }, () => []);
  cluster.forEach((c, i) => byCluster[c]!.push(i));
  const cum = (list: number[]) => {
    let s = 0;
    return list.map((i) => (s += pop[i]!));
  };
  const clusterCum = byCluster.map(cum);
  const all = Array.from({ length: items }, (_, i) => i);
  const allCum = cum(all);
  const pick = (list: number[], c: number[]) => {
    const x = rand() * c[c.length - 1]!;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return list[lo]!;
  };
  const name = (c: number) => `c${String(c).padStart(2, '0')}`;
  const rows = ['USER_ID,ITEM_ID,TIMESTAMP'];
  for (let u = 0; u < users; u++) {
    const n = Math.min(300, Math.floor(2 / Math.pow(1 - rand(), 1 / 1.6)));
    const tastes = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => Math.floor(rand() * clusters));
    const start = rand() * 300;
    for (let k = 0; k < n; k++) {
      const c = tastes[Math.floor(rand() * tastes.length)]!;
      const item = rand() < 0.8 && byCluster[c]!.length > 0 ? pick(byCluster[c]!, clusterCum[c]!) : pick(all, allCum);
      const t = Math.floor(t0 + Math.min(364, start + rand() * 120) * day);
      rows.push(`U${u},I${item},${t}`);
    }
  }
  const itemRows = ['ITEM_ID,CATEGORY,BRAND'];
  for (let i = 0; i < items; i++) {
    const extra = rand() < 0.2 ? `|${name(Math.floor(rand() * clusters))}` : '';
    itemRows.push(`I${i},${name(cluster[i]!)}${extra},b${Math.floor(rand() * 200)}`);
  }
  const interactionsCsv = join(dir, 'attr-events.csv');
  const itemsCsv = join(dir, 'attr-items.csv');
  writeFileSync(interactionsCsv, rows.join('\n') + '\n');
  writeFileSync(itemsCsv, itemRows.join('\n') + '\n');
  return {
    interactionsCsv,
    itemsCsv,
    splitEpoch: t0 + 330 * day,
    categories: Array.from({ length: clusters }, (_, c) => name(c)),
  };
}

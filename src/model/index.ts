/**
 * TEMPORARY SHIM (emulator branch only): stands in for the real local model, which another helper is writing in
 * this directory to the contract in api.ts. Deleted when the real src/model/index.ts is merged from main.
 * Item affinity = users who interacted with the item, most interactions first; no real learning.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SegmentQuery, SegmentResult, TrainInput, TrainResult } from './api.js';

export type { SegmentQuery, SegmentResult, TrainInput, TrainResult } from './api.js';

export async function trainModel(input: TrainInput): Promise<TrainResult> {
  const lines = input.interactionsCsv.trim().split(/\r?\n/).slice(1);
  const byItem: Record<string, Record<string, number>> = {};
  const users = new Set<string>();
  for (const l of lines) {
    const [u, i] = l.split(',');
    if (!u || !i) continue;
    users.add(u);
    const m = (byItem[i] ??= {});
    m[u] = (m[u] ?? 0) + 1;
  }
  if (input.signal?.aborted) throw new Error('aborted');
  await mkdir(input.modelDir, { recursive: true });
  const attrs: Record<string, string> = {};
  for (const l of (input.itemsCsv ?? '').trim().split(/\r?\n/).slice(1)) {
    const [i, a] = l.split(',');
    if (i && a) attrs[i] = a;
  }
  await writeFile(join(input.modelDir, 'shim.json'), JSON.stringify({ byItem, attrs }));
  return { metrics: { coverage: 1, hits_at_1_percent: 0, recall_at_1_percent: 0 }, users: users.size, items: Object.keys(byItem).length, interactions: lines.length, trainingSeconds: 0 };
}

export async function segmentUsers(modelDir: string, queries: SegmentQuery[], numResults: number): Promise<SegmentResult[]> {
  const { byItem, attrs } = JSON.parse(await readFile(join(modelDir, 'shim.json'), 'utf8')) as { byItem: Record<string, Record<string, number>>; attrs: Record<string, string> };
  return queries.map((q) => {
    if (!('itemId' in q)) {
      const users = new Map<string, number>();
      for (const [item, m] of Object.entries(byItem)) {
        if (!attrs[item] || !q.itemAttributes.includes(`"${attrs[item]!.split('|')[0]}"`)) continue;
        for (const [u, n] of Object.entries(m)) users.set(u, (users.get(u) ?? 0) + n);
      }
      return { users: [...users].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, numResults).map(([u]) => u) };
    }
    const m = byItem[q.itemId];
    if (!m) return { error: `Item ${q.itemId} is not in the training data` };
    return { users: Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, numResults).map(([u]) => u) };
  });
}

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
  await writeFile(join(input.modelDir, 'shim.json'), JSON.stringify(byItem));
  return { metrics: { coverage: 1, hits_at_1_percent: 0, recall_at_1_percent: 0 }, users: users.size, items: Object.keys(byItem).length, interactions: lines.length, trainingSeconds: 0 };
}

export async function segmentUsers(modelDir: string, queries: SegmentQuery[], numResults: number): Promise<SegmentResult[]> {
  const byItem = JSON.parse(await readFile(join(modelDir, 'shim.json'), 'utf8')) as Record<string, Record<string, number>>;
  return queries.map((q) => {
    if (!('itemId' in q)) return { error: 'shim: attribute queries unsupported' };
    const m = byItem[q.itemId];
    if (!m) return { error: `Item ${q.itemId} is not in the training data` };
    return { users: Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, numResults).map(([u]) => u) };
  });
}

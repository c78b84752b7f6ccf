import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectTop, topK } from './top-k.js';
import { mulberry32 } from '../util/prng.js';

describe('topK and selectTop', () => {
  it('both match a full sort by (score desc, secondary desc, index asc) on random inputs', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const score = Float64Array.from({ length: n }, () => Math.floor(rand() * 5));
      const secondary = Float64Array.from({ length: n }, () => Math.floor(rand() * 3));
      const cands = Int32Array.from({ length: n }, (_, k) => n - 1 - k);
      const k = Math.floor(rand() * (n + 5));
      const want = Array.from(cands)
        .sort((a, b) => score[b]! - score[a]! || secondary[b]! - secondary[a]! || a - b)
        .slice(0, k);
      assert.deepEqual(Array.from(topK(cands, n, score, secondary, k)), want);
      assert.deepEqual(Array.from(selectTop(cands, n, score, secondary, k)), want);
      const noSecondary = Array.from(cands)
        .sort((a, b) => score[b]! - score[a]! || a - b)
        .slice(0, k);
      assert.deepEqual(Array.from(selectTop(cands, n, score, null, k)), noSecondary);
    }
  });
});

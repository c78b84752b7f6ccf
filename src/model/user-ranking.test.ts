import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smallMatrix } from '../../test/support/model-matrix.js';
import { UserRanking } from './user-ranking.js';
import { mulberry32 } from '../util/prng.js';

describe('UserRanking', () => {
  it('counts the hits of a ranking without ordering it: the same users as rank, ties and fill-in included', () => {
    const { m } = smallMatrix(60, 15, 11);
    const rand = mulberry32(5);
    for (const half of [0, 90]) {
      const ranking = new UserRanking(m, half);
      for (let trial = 0; trial < 200; trial++) {
        const n = Math.floor(rand() * 60);
        const users = Int32Array.from(new Set(Array.from({ length: n }, () => Math.floor(rand() * 60))));
        // few distinct values, so ties at the cut are common
        const values = Float64Array.from(users, () => Math.floor(rand() * 4) - (rand() < 0.1 ? 1 : 0));
        const isTruth = Uint8Array.from({ length: 60 }, () => (rand() < 0.3 ? 1 : 0));
        const k = 1 + Math.floor(rand() * 70);
        const w = [0, 0.1, 1][trial % 3]!;
        const s = { users, values };
        const top = ranking.rank(s, k, w);
        assert.equal(top.length, Math.min(k, 60));
        assert.equal(new Set(top).size, top.length);
        const want = Array.from(top).reduce((h, u) => h + isTruth[u]!, 0);
        assert.equal(ranking.hitsAt(s, k, w, isTruth), want, `trial ${trial} k ${k} w ${w}`);
      }
    }
  });
});

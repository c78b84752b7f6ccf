import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, dense, smallMatrix } from '../../test/support/model-matrix.js';
import { describeModel, modelName, Ranker } from './candidates.js';
import { DirectScorer } from './direct.js';
import { Rp3Scorer } from './rp3beta.js';
import { DEFAULT_PARAMS, Scorer } from './scorer.js';
import { UserRanking } from './user-ranking.js';

const DAY = 86400;

describe('candidate scorers against brute force', () => {
  const { m, x } = smallMatrix(30, 10);
  const users = x.length;
  const items = x[0]!.length;
  const act = x.map((row) => row.reduce((a, b) => a + b, 0));
  const pop = x[0]!.map((_, j) => x.reduce((s, row) => s + row[j]!, 0));

  it('RP3beta: the three-step walk item → user → item → user, penalised by act(u)^β', () => {
    for (const [alpha, beta] of [
      [1, 0],
      [0.5, 0.3],
      [1, 0.6],
    ] as const) {
      const i = 2;
      const want = x.map((row, u) => {
        let s = 0;
        for (let j = 0; j < items; j++) {
          if (!row[j]) continue;
          let walk = 0;
          for (let v = 0; v < users; v++) if (x[v]![i] && x[v]![j]) walk += Math.pow(1 / pop[i]!, alpha) * Math.pow(1 / act[v]!, alpha);
          s += walk * Math.pow(1 / pop[j]!, alpha);
        }
        return s / Math.pow(act[u]!, beta);
      });
      const got = dense(users, new Rp3Scorer(m, { alpha, beta, neighbours: 0 }).scores(Int32Array.of(i), 'item'));
      assertClose(got, want, 1e-12, `α ${alpha} β ${beta}`);
    }
  });

  it('item-kNN: asymmetric cosine over all co-occurring items, no bonus, no decay', () => {
    const params = { ...DEFAULT_PARAMS, bonus: 0, neighbours: 0, halfLifeDays: 0, decayKnn: false };
    const i = 5;
    const sim = x[0]!.map((_, j) => {
      if (j === i) return 0;
      const co = x.reduce((s, row) => s + row[i]! * row[j]!, 0);
      return co === 0 ? 0 : co / (Math.pow(pop[j]!, 1 - params.alpha) * Math.pow(pop[i]!, params.alpha));
    });
    const knn = x.map((row) => row.reduce((s, v, j) => s + v * sim[j]!, 0));
    const max = Math.max(...knn);
    const got = dense(users, new Scorer(m, params).scores(Int32Array.of(i), 'item'));
    assertClose(
      got,
      knn.map((v) => v / max),
      1e-12,
      'knn',
    );
  });

  it('interacted with it: counts, with the recency half-life measured from the latest interaction', () => {
    const q = Int32Array.of(1, 6);
    for (const half of [0, 90]) {
      const want = new Array<number>(users).fill(0);
      for (let u = 0; u < users; u++) {
        for (let k = m.userPtr[u]!; k < m.userPtr[u + 1]!; k++) {
          const j = m.userItems[k]!;
          if (j !== 1 && j !== 6) continue;
          const age = (m.maxTime - m.userLast[k]!) / DAY;
          want[u]! += m.userCount[k]! * (half > 0 ? Math.pow(0.5, age / half) : 1);
        }
      }
      assertClose(dense(users, new DirectScorer(m, half).scores(q, 'attribute')), want, 1e-9, `half-life ${half}`);
    }
  });

  it('blends: score / max + w · prior / max prior, every user competing; prior alone is popularity', () => {
    const s = new Scorer(m, DEFAULT_PARAMS).scores(Int32Array.of(3), 'item');
    const v = dense(users, s);
    for (const [w, half] of [
      [0.3, 0],
      [1, 90],
    ] as const) {
      const ranking = new UserRanking(m, half);
      const prior = x.map((_, u) => {
        let p = 0;
        for (let k = m.userPtr[u]!; k < m.userPtr[u + 1]!; k++) p += half > 0 ? Math.pow(0.5, (m.maxTime - m.userLast[k]!) / DAY / half) : 1;
        return p;
      });
      assertClose(Array.from(ranking.prior), prior, 1e-9, 'prior');
      const maxV = Math.max(...v);
      const maxP = Math.max(...prior);
      const final = v.map((s0, u) => s0 / maxV + (w * prior[u]!) / maxP);
      const order = final.map((f, u) => u).sort((a, b) => final[b]! - final[a]! || act[b]! - act[a]! || a - b);
      assert.deepEqual(Array.from(ranking.rank(s, 7, w)), order.slice(0, 7));
    }
    const popular = act.map((_, u) => u).sort((a, b) => act[b]! - act[a]! || a - b);
    const ranker = new Ranker(m, { base: { kind: 'activity' }, priorWeight: 0, priorHalfLifeDays: 0 });
    assert.deepEqual(Array.from(ranker.rank(Int32Array.of(3), 5, 'item')), popular.slice(0, 5));
  });

  it('without the prior, users with a signal come first and the rest follow by activity', () => {
    const ranker = new Ranker(m, { base: { kind: 'interacted', halfLifeDays: 0 }, priorWeight: 0, priorHalfLifeDays: 0 });
    const top = Array.from(ranker.rank(Int32Array.of(9), users, 'item'));
    const buyers = x.map((row, u) => (row[9] ? u : -1)).filter((u) => u >= 0);
    assert.deepEqual(new Set(top.slice(0, buyers.length)), new Set(buyers));
    assert.equal(new Set(top).size, users);
  });

  it('names and describes every candidate', () => {
    const knn = { base: { kind: 'item-knn' as const, params: DEFAULT_PARAMS }, priorWeight: 0.3, priorHalfLifeDays: 90 };
    assert.equal(modelName(knn), 'item-knn+activity-hl90d-0.3');
    assert.match(describeModel(knn), /item-kNN.*90-day half-life \(weight 0\.3\)/);
    assert.equal(modelName({ base: { kind: 'ease', lambda: 200 }, priorWeight: 0, priorHalfLifeDays: 0 }), 'ease-l200');
    assert.equal(modelName({ base: { kind: 'activity' }, priorWeight: 0, priorHalfLifeDays: 90 }), 'activity-hl90d');
    assert.equal(
      modelName({ base: { kind: 'rp3beta', params: { alpha: 0.5, beta: 0.3, neighbours: 149 } }, priorWeight: 1, priorHalfLifeDays: 0 }),
      'rp3beta-a0.5-b0.3+activity-1',
    );
  });
});

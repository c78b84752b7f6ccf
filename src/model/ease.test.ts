import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, dense, invert, smallMatrix } from '../../test/support/model-matrix.js';
import { EaseScorer } from './ease.js';
import { LocalEaseScorer } from './ease-local.js';
import { solveSpd } from './dense.js';

/** EASE the textbook way: B = I - P·diag(1/diag(P)), P = (XᵀX + λI)⁻¹; scores X·B[:, i]. */
function bruteEase(x: number[][], lambda: number, i: number, within?: number[]): number[] {
  const items = within ?? x[0]!.map((_, j) => j);
  const g = items.map((a) => items.map((b) => x.reduce((s, row) => s + row[a]! * row[b]!, 0) + (a === b ? lambda : 0)));
  const p = invert(g);
  const c = items.indexOf(i);
  const b = items.map((_, r) => (r === c ? 0 : -p[r]![c]! / p[c]![c]!));
  return x.map((row) => items.reduce((s, j, r) => s + row[j]! * b[r]!, 0));
}

describe('EASE', () => {
  const { m, x } = smallMatrix(40, 12);

  it('solves column i of (XᵀX + λI)⁻¹ like the dense inverse', () => {
    const g = x[0]!.map((_, a) => x[0]!.map((__, b) => x.reduce((s, row) => s + row[a]! * row[b]!, 0) + (a === b ? 50 : 0)));
    const p = invert(g);
    const col = new EaseScorer(m, 50, 1e-10).column(3);
    assertClose(
      Array.from(col),
      p.map((row) => row[3]!),
      1e-7,
      'column',
    );
  });

  it('scores every user as X·B[:, i] with the diagonal dropped, for several λ', () => {
    for (const lambda of [1, 20, 500]) {
      for (const i of [0, 5, 11]) {
        const s = new EaseScorer(m, lambda, 1e-10).scores(Int32Array.of(i), 'item');
        assertClose(dense(40, s), bruteEase(x, lambda, i), 1e-6, `λ ${lambda} item ${i}`);
      }
    }
  });

  it('has no attribute form', () => {
    assert.equal(new EaseScorer(m, 10).scores(Int32Array.of(1, 2), 'attribute').users.length, 0);
  });
});

describe('EASE on the neighbourhood', () => {
  const { m, x } = smallMatrix(40, 12);

  it('with neighbours 0 is EASE fitted on the item and every item that co-occurs with it', () => {
    for (const i of [2, 7]) {
      const s = new LocalEaseScorer(m, 30, 0).scores(Int32Array.of(i), 'item');
      // users with none of the neighbourhood's items are not scored: EASE gives them 0 too
      const co = x[0]!.map((_, j) => j).filter((j) => j === i || x.some((row) => row[i] === 1 && row[j] === 1));
      assertClose(dense(40, s), bruteEase(x, 30, i, co), 1e-9, `item ${i}`);
    }
  });

  it('fits EASE on the item and its N most co-occurring items (ties by index)', () => {
    const i = 4;
    const co = x[0]!.map((_, j) => (j === i ? -1 : x.reduce((s, row) => s + row[i]! * row[j]!, 0)));
    const order = co
      .map((c, j) => ({ c, j }))
      .filter((e) => e.c > 0)
      .sort((a, b) => b.c - a.c || a.j - b.j);
    const within = [i, ...order.slice(0, 3).map((e) => e.j)];
    const s = new LocalEaseScorer(m, 10, 3).scores(Int32Array.of(i), 'item');
    const want = bruteEase(x, 10, i, within);
    const got = dense(40, s);
    assertClose(got, want, 1e-9, 'restricted');
  });

  it('solves SPD systems like the dense inverse', () => {
    const a = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const b = Float64Array.from([1, 2, 3]);
    const inv = invert([
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ]);
    assertClose(
      Array.from(solveSpd(a, 3, b)),
      inv.map((row) => row[0]! * 1 + row[1]! * 2 + row[2]! * 3),
      1e-12,
      'solve',
    );
    assert.throws(() => solveSpd(Float64Array.from([1, 2, 2, 1]), 2, Float64Array.from([1, 1])), /positive definite/);
  });
});

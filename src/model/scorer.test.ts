import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInteractions } from './dataset.js';
import { buildMatrix } from './matrix.js';
import { DEFAULT_PARAMS, Scorer } from './scorer.js';

const DAY = 86400;

function scorerFor(rows: Array<[string, string, number]>, params = DEFAULT_PARAMS) {
  const data = parseInteractions(['USER_ID,ITEM_ID,TIMESTAMP', ...rows.map((r) => r.join(','))].join('\n'));
  const m = buildMatrix(data.userIds.length, data.itemIds.length, data.user, data.item, data.time);
  const scorer = new Scorer(m, params);
  const item = (id: string) => data.itemIds.indexOf(id);
  const names = (top: Int32Array) => Array.from(top, (u) => data.userIds[u]);
  return { scorer, item, names };
}

describe('Scorer', () => {
  it('ranks repeat and recent buyers first, then similar users, then the most active rest', () => {
    const now = 1000 * DAY;
    const { scorer, item, names } = scorerFor([
      // buyers of X: "rep" bought it three times, "new" once recently, "old" once long ago
      ['rep', 'X', now - 10 * DAY],
      ['rep', 'X', now - 9 * DAY],
      ['rep', 'X', now - 8 * DAY],
      ['rep', 'Y', now - 8 * DAY],
      ['new', 'X', now - 1 * DAY],
      ['new', 'Y', now - 1 * DAY],
      ['old', 'X', now - 900 * DAY],
      // "sim" never bought X but bought Y, which X's buyers also bought
      ['sim', 'Y', now],
      // "busy" bought many unrelated items; "idle" one
      ['busy', 'A', now],
      ['busy', 'B', now],
      ['busy', 'C', now],
      ['busy', 'D', now],
      ['idle', 'E', now],
    ]);
    // rep: 3 recent-ish buys; new: 1 recent; old: 1 decayed to ~0 (still a buyer); sim: knn only
    assert.deepEqual(names(scorer.rank(Int32Array.of(item('X')), 7)), ['rep', 'new', 'sim', 'old', 'busy', 'idle']);
    assert.deepEqual(names(scorer.rank(Int32Array.of(item('X')), 2)), ['rep', 'new']);
  });

  it('treats an item set as one pseudo-item and breaks exact ties by activity, then id', () => {
    const { scorer, item, names } = scorerFor(
      [
        ['b', 'P', 100],
        ['a', 'Q', 100],
        ['c', 'P', 100],
        ['c', 'Z', 100],
        ['d', 'Z', 100],
      ],
      { ...DEFAULT_PARAMS, halfLifeDays: 0 },
    );
    const top = names(scorer.rank(Int32Array.of(item('P'), item('Q')), 4, 'attribute'));
    // a, b, c interacted with the set once each; c also has Z (more active) so it wins the tie; then a < b by id
    assert.deepEqual(top, ['c', 'a', 'b', 'd']);
  });
});

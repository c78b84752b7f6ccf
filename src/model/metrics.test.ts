import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInteractions, parseItems } from './dataset.js';
import { buildMatrix } from './matrix.js';
import { evaluate, holdoutMask, holdoutQueries, sample } from './metrics.js';

describe('solution metrics', () => {
  it('holds out the latest ceil(20%) of each user with at least 2 interactions', () => {
    const rows = ['USER_ID,ITEM_ID,TIMESTAMP'];
    for (let k = 0; k < 6; k++) rows.push(`six,i${k},${100 + k}`); // 6 -> 2 held out: i4, i5
    for (let k = 0; k < 5; k++) rows.push(`five,i${k},${200 - k}`); // 5 -> 1 held out: the latest is i0
    rows.push('one,i9,50'); // 1 -> none
    const data = parseInteractions(rows.join('\n'));
    const keep = holdoutMask(data, data.userIds.length);
    const held = [...keep.keys()].filter((r) => !keep[r]).map((r) => `${data.userIds[data.user[r]!]}:${data.itemIds[data.item[r]!]}`);
    assert.deepEqual(held.sort(), ['five:i0', 'six:i4', 'six:i5']);
    const m = buildMatrix(data.userIds.length, data.itemIds.length, data.user, data.item, data.time, keep);
    // i0 is held out for "five" but "six" still has it in train: a query; i5 only exists held out: no query
    const queries = holdoutQueries(data, keep, (i) => m.itemPtr[i + 1]! - m.itemPtr[i]!);
    const named = queries.map((q) => ({ item: data.itemIds[q.items[0]!], truth: Array.from(q.truth, (u) => data.userIds[u]) }));
    assert.deepEqual(
      named.sort((a, b) => (a.item! < b.item! ? -1 : 1)),
      [
        { item: 'i0', truth: ['five'] },
        { item: 'i4', truth: ['six'] },
      ],
    );
  });

  it('builds one attribute query per held-out (attribute, value), over the train items carrying it', () => {
    // u1: i1 then i2 (held out); u2: i3 then i1 (held out); i2 only ever occurs held out
    const data = parseInteractions('USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1\nu1,i2,2\nu2,i3,1\nu2,i1,2\n');
    const attrs = parseItems('ITEM_ID,GENRE\ni1,rock|pop\ni2,pop\ni3,jazz\n', data.itemIds);
    const keep = holdoutMask(data, data.userIds.length);
    const m = buildMatrix(data.userIds.length, data.itemIds.length, data.user, data.item, data.time, keep);
    const queries = holdoutQueries(data, keep, (i) => m.itemPtr[i + 1]! - m.itemPtr[i]!, attrs);
    const named = queries
      .map((q) => ({ items: Array.from(q.items, (i) => data.itemIds[i]), truth: Array.from(q.truth, (u) => data.userIds[u]) }))
      .sort((a, b) => (a.items.join() + a.truth.join() < b.items.join() + b.truth.join() ? -1 : 1));
    // pop: held-out i2 (u1) and i1 (u2); train items with pop: i1 only. rock: held-out i1 (u2). jazz: nothing held out.
    assert.deepEqual(named, [
      { items: ['i1'], truth: ['u1', 'u2'] },
      { items: ['i1'], truth: ['u2'] },
    ]);
  });

  it('computes hits, recall and coverage at k = 1% of users by hand', () => {
    // 250 users -> k = 2. Query 1: truth {0, 1, 2}, ranked [0, 5] -> 1 hit, recall 1/min(3, 2) = 0.5.
    // Query 2: truth {7}, ranked [7, 0] -> 1 hit, recall 1/1. Coverage: users {0, 5, 7} = 3/250.
    const ranked = [Int32Array.of(0, 5), Int32Array.of(7, 0)];
    let n = 0;
    const m = evaluate(
      250,
      [
        { items: Int32Array.of(0), truth: Int32Array.of(0, 1, 2) },
        { items: Int32Array.of(1), truth: Int32Array.of(7) },
      ],
      (_items, k) => {
        assert.equal(k, 2);
        return ranked[n++]!;
      },
    );
    assert.deepEqual(m, { coverage: 0.012, hits_at_1_percent: 1, recall_at_1_percent: 0.75 });
  });

  it('samples deterministically', () => {
    const values = Array.from({ length: 1000 }, (_, k) => k);
    assert.deepEqual(sample(values, 10), sample(values, 10));
    assert.notDeepEqual(sample(values, 10), values.slice(0, 10));
    assert.equal(new Set(sample(values, 1000)).size, 1000);
  });
});

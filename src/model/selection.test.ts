import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInteractions } from './dataset.js';
import { DEFAULT_PARAMS } from './scorer.js';
import { pickBest, selectModel, validationStart, VALIDATION_FRACTION } from './selection.js';

const DAY = 86400;
const T0 = 1_600_000_000;

function data(rows: Array<[string, string, number]>) {
  return parseInteractions(['USER_ID,ITEM_ID,TIMESTAMP', ...rows.map((r) => r.join(','))].join('\n'));
}

/** Taste groups: users of group g only ever interact with group g's items, one new item a day. */
function groups(): Array<[string, string, number]> {
  const rows: Array<[string, string, number]> = [];
  for (let g = 0; g < 4; g++) {
    for (let n = 0; n < 40; n++) {
      for (let d = 0; d < 10; d++) rows.push([`g${g}u${String(n).padStart(2, '0')}`, `g${g}i${(n * 3 + d) % 25}`, T0 + ((n + d * 7) % 60) * DAY]);
    }
  }
  return rows;
}

/** Ten heavy users interact with everything all the time; 300 light users with one random item each, early on. */
function heavyHitters(): Array<[string, string, number]> {
  const rows: Array<[string, string, number]> = [];
  for (let h = 0; h < 10; h++) for (let d = 0; d < 60; d++) rows.push([`heavy${h}`, `i${(h * 13 + d * 7) % 200}`, T0 + d * DAY]);
  for (let n = 0; n < 300; n++) for (let d = 0; d < 2; d++) rows.push([`light${n}`, `i${(n * 11 + d) % 200}`, T0 + ((n + d) % 40) * DAY]);
  return rows;
}

describe('model selection on a validation split', () => {
  it('holds out the latest 10% of the interactions by time', () => {
    const time = Float64Array.from({ length: 100 }, (_, k) => 100 - k);
    assert.equal(VALIDATION_FRACTION, 0.1);
    assert.equal(validationStart(time), 91);
    assert.ok(Number.isNaN(validationStart(Float64Array.of(5, 5, 5))));
  });

  it('picks the best recall + hits, each relative to the best candidate, the earlier on exact ties', () => {
    const c = (name: string, recall: number, hits: number) => ({
      name,
      recall,
      hits,
      config: { base: { kind: 'activity' as const }, priorWeight: 0, priorHalfLifeDays: 0 },
    });
    assert.equal(pickBest([c('a', 0.3, 2), c('b', 0.31, 1.5), c('c', 0.29, 2.2)]).name, 'c');
    assert.equal(pickBest([c('a', 0.3, 2), c('b', 0.3, 2)]).name, 'a');
  });

  it('chooses a model that uses the items when tastes decide', () => {
    const s = selectModel(data(groups()), 'item', DEFAULT_PARAMS);
    assert.ok(s.validation.queries >= 5 && s.candidates.length > 20, JSON.stringify(s.validation));
    assert.notEqual(s.config.base.kind, 'activity', s.chosen);
    const best = s.candidates.find((c) => c.name === s.chosen)!;
    const popularity = s.candidates.find((c) => c.name === 'activity')!;
    assert.ok(best.recall > popularity.recall, `${best.recall} vs ${popularity.recall}`);
    // every family is in the contest (exact EASE on data this small)
    for (const family of ['item-knn', 'interacted-count', 'rp3beta-', 'ease-l', 'activity']) {
      assert.ok(
        s.candidates.some((c) => c.name.startsWith(family)),
        family,
      );
    }
  });

  it('chooses the activity prior (or a blend leaning on it) when a few heavy users take everything', () => {
    const s = selectModel(data(heavyHitters()), 'item', DEFAULT_PARAMS);
    assert.ok(s.config.base.kind === 'activity' || s.config.priorWeight >= 0.3, s.chosen);
    const popularity = s.candidates.find((c) => c.name === 'activity')!;
    const best = s.candidates.find((c) => c.name === s.chosen)!;
    assert.ok(best.recall >= popularity.recall);
  });

  it('is deterministic, and keeps the default without enough validation queries', () => {
    const a = selectModel(data(groups()), 'item', DEFAULT_PARAMS);
    const b = selectModel(data(groups().reverse()), 'item', DEFAULT_PARAMS);
    assert.deepEqual(
      a.candidates.map((c) => [c.name, c.recall, c.hits]),
      b.candidates.map((c) => [c.name, c.recall, c.hits]),
    );
    const flat = selectModel(
      data([
        ['u1', 'a', T0],
        ['u2', 'b', T0],
        ['u1', 'b', T0],
      ]),
      'item',
      DEFAULT_PARAMS,
    );
    assert.equal(flat.chosen, 'item-knn');
    assert.match(flat.note ?? '', /validation queries/);
    assert.deepEqual(flat.candidates, []);
  });
});

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InteractionsSource } from '../spec/types.js';
import { isSegflowError } from '../util/errors.js';
import type { GroundTruthFile } from './artifacts.js';
import { prepareData } from './prepare.js';
import { makeRows, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { testMetadata, testSpec } from '../../test/support/spec.js';

const SPLIT = Date.UTC(2020, 0, 1) / 1000;
const EVENTS = ['view', 'cart', 'purchase'];
const lines = async (dir: string, name: string) => (await readFile(join(dir, name), 'utf8')).trim().split('\n');

/** makeRows plus an event type and a value per row: every third row a purchase. */
const ROWS = makeRows(100, 60);
function eventsCsv(): string {
  const rows = ROWS;
  return 'user,item,ts,event,amount\n' + rows.map((r, k) => `${r.user},${r.item},${r.ts},${EVENTS[k % 3]},${(k % 7) + 0.5}`).join('\n') + '\n';
}
const eventColumns: Partial<InteractionsSource> = {
  columns: { USER_ID: 'user', ITEM_ID: 'item', TIMESTAMP: 'ts', EVENT_TYPE: 'event', EVENT_VALUE: 'amount' },
};

describe('prepare: event types, users and generated attribute queries', () => {
  it('EVENT_TYPE and EVENT_VALUE go into interactions.csv after TIMESTAMP; where filters on them', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', eventsCsv());
      const all = await prepareData(testSpec({ source: src, interactions: eventColumns }), { cwd: join(dir, 'a') });
      const csv = await lines(all.workDir, 'interactions.csv');
      assert.equal(csv[0], 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE');
      assert.match(csv[1]!, /^u\d+,i\d+,\d+,(view|cart|purchase),\d\.5$/);
      assert.equal(all.stats.eventTypes, 3);
      const purchases = await prepareData(testSpec({ source: src, interactions: { ...eventColumns, where: "event <> 'view'" } }), { cwd: join(dir, 'b') });
      const kept = (await lines(purchases.workDir, 'interactions.csv')).slice(1);
      assert.ok(kept.length > 0 && kept.every((l) => l.split(',')[3] !== 'view'));
      assert.equal(purchases.stats.eventTypes, 2);
      assert.ok(purchases.stats.trainRows < all.stats.trainRows);

      // A value that is not a number is a bad row, named with its line.
      await writeFixture(dir, 'bad.csv', eventsCsv() + 'u1,i1,1577836800,view,lots\n');
      const e = await prepareData(testSpec({ source: join(dir, 'bad.csv'), interactions: eventColumns }), { cwd: join(dir, 'c') }).catch((x: unknown) => x);
      assert.ok(isSegflowError(e) && e.code === 'DATA_BAD_ROWS', String(e));
      assert.match(e.details.join('\n'), new RegExp(`line ${ROWS.length + 2}: EVENT_VALUE \\(column 'amount'\\) is not a number: lots`));
    });
  });

  it('users.csv holds USER_ID and the attributes of the users in train only, numeric attributes as numbers', async () => {
    await withTempDir(async (dir) => {
      const src = await writeFixture(dir, 'events.csv', eventsCsv());
      // u0..u99 interact; the users file also knows u100..u109, who never do.
      const users = Array.from({ length: 110 }, (_, u) => ({ id: `u${u}`, country: u % 2 ? 'United Kingdom' : 'France', age: 20 + u }));
      const usersFile = await writeFixture(dir, 'users.jsonl', users.map((x) => JSON.stringify(x)).join('\n') + '\n');
      const base = testSpec({ source: src });
      const spec = testSpec({
        source: src,
        data: {
          interactions: base.data.interactions,
          users: testMetadata(usersFile, 'jsonl', { USER_ID: 'id' }, [
            ['COUNTRY', 'country'],
            ['AGE', 'age', 'numeric'],
          ]),
        },
      });
      const r = await prepareData(spec, { cwd: dir });
      const csv = await lines(r.workDir, 'users.csv');
      assert.equal(csv[0], 'USER_ID,COUNTRY,AGE');
      const trainUsers = new Set(ROWS.filter((x) => x.ts < SPLIT).map((x) => x.user));
      assert.equal(csv.length - 1, trainUsers.size);
      assert.ok(csv.includes('u1,United Kingdom,21.0'), csv.slice(0, 4).join(' / '));
      assert.ok(!csv.some((l) => l.startsWith('u105,')));
      assert.deepEqual(r.stats.usersSource, { rowsRead: 110, filtered: 0, badRows: 0, users: 110, written: trainUsers.size });
      const manifest = JSON.parse(await readFile(join(r.workDir, 'manifest.json'), 'utf8')) as { outputs: Record<string, unknown> };
      assert.ok('users.csv' in manifest.outputs);
    });
  });

  it('queries.attributes { top, attribute } asks for the most-interacted values in train, ties broken by value', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const src = await writeFixture(dir, 'events.csv', 'user,item,ts\n' + rows.map((r) => `${r.user},${r.item},${r.ts}`).join('\n') + '\n');
      // Items i0..i39: category "C<i mod 6>"; i0..i9 also "Gift".
      const category = (i: number) => `C${i % 6}${i < 10 ? '|Gift' : ''}`;
      const items = await writeFixture(dir, 'items.csv', 'id,category\n' + Array.from({ length: 40 }, (_, i) => `i${i},${category(i)}`).join('\n') + '\n');
      const base = testSpec({ source: src });
      const spec = testSpec({
        source: src,
        recipe: 'aws-item-attribute-affinity',
        queries: { topAttributeValues: { top: 4, attribute: 'CATEGORY' } },
        data: {
          interactions: base.data.interactions,
          items: testMetadata(items, 'csv', { ITEM_ID: 'id' }, [['CATEGORY', 'category']]),
        },
      });
      const r = await prepareData(spec, { cwd: dir });
      // Expected: count train interactions per value, most first, then by value.
      const counts = new Map<string, number>();
      for (const x of rows.filter((x) => x.ts < SPLIT)) for (const v of category(Number(x.item.slice(1))).split('|')) counts.set(v, (counts.get(v) ?? 0) + 1);
      const top = [...counts]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 4)
        .map(([v]) => `ITEMS.CATEGORY = "${v}"`);
      assert.deepEqual(r.stats.generatedQueries, top);
      const batch = (await lines(r.workDir, 'batch-input.jsonl')).map((l) => JSON.parse(l) as unknown);
      assert.deepEqual(
        batch,
        top.map((e) => ({ itemAttributes: e })),
      );
      const truth = JSON.parse(await readFile(join(r.workDir, 'ground-truth.json'), 'utf8')) as GroundTruthFile;
      assert.equal(truth.kind, 'attributes');
      assert.equal(truth.queries.length, 4);
      assert.ok(truth.queries.every((q) => q.users.length > 0));
    });
  });

  it('refuses what Personalize would fail the import on: categorical values over 1000 characters, more than 10 event types', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const src = await writeFixture(
        dir,
        'events.csv',
        'user,item,ts,event\n' + rows.map((r, k) => `${r.user},${r.item},${r.ts},e${k % 11}`).join('\n') + '\n',
      );
      const e = await prepareData(
        testSpec({ source: src, interactions: { columns: { USER_ID: 'user', ITEM_ID: 'item', TIMESTAMP: 'ts', EVENT_TYPE: 'event' } } }),
        { cwd: join(dir, 'a') },
      ).catch((x: unknown) => x);
      assert.ok(isSegflowError(e) && e.code === 'DATA_EVENT_TYPES', String(e));
      assert.match(e.message, /11 distinct EVENT_TYPE values in train; Personalize accepts at most 10/);

      const long = 'x'.repeat(1001);
      const usersFile = await writeFixture(
        dir,
        'users.csv',
        'id,note\n' + Array.from({ length: 60 }, (_, u) => `u${u},${u === 7 ? long : 'ok'}`).join('\n') + '\n',
      );
      const events = await writeFixture(dir, 'plain.csv', 'user,item,ts\n' + rows.map((r) => `${r.user},${r.item},${r.ts}`).join('\n') + '\n');
      const base = testSpec({ source: events });
      const spec = testSpec({
        source: events,
        data: {
          interactions: base.data.interactions,
          users: testMetadata(usersFile, 'csv', { USER_ID: 'id' }, [['NOTE', 'note']]),
        },
      });
      const tooLong = await prepareData(spec, { cwd: join(dir, 'b') }).catch((x: unknown) => x);
      assert.ok(isSegflowError(tooLong) && tooLong.code === 'DATA_ATTRIBUTE_TOO_LONG', String(tooLong));
      assert.match(tooLong.details[0]!, /NOTE of USER_ID u7 has 1001 characters/);
    });
  });
});

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { isSegflowError } from '../util/errors.js';
import type { ObjectInfo, ObjectStore } from './object-store.js';
import { prepareData } from './prepare.js';
import { makeRows, toCsv, withTempDir, writeFixture } from '../../test/support/data-fixtures.js';
import { testSpec } from '../../test/support/spec.js';

/** Writes the rows of a CSV as `parts` Parquet files split by user (DuckDB's own writer). */
async function toParquetParts(csv: string, dir: string, parts: number): Promise<string[]> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  const out: string[] = [];
  for (let p = 0; p < parts; p++) {
    const file = join(dir, `part-${p}.parquet`);
    await conn.run(`COPY (SELECT * FROM read_csv('${csv}', header = true, columns = {'user': 'VARCHAR', 'item': 'VARCHAR', 'ts': 'BIGINT'})
      WHERE hash(user) % ${parts} = ${p}) TO '${file}' (FORMAT parquet)`);
    out.push(file);
  }
  conn.closeSync();
  return out;
}

const read = (dir: string, name: string) => readFile(join(dir, name), 'utf8');

async function rejects(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isSegflowError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe('prepare: sources', () => {
  it('a Parquet source split over several files (a glob) prepares exactly as the CSV it came from', async () => {
    await withTempDir(async (dir) => {
      const csv = await writeFixture(dir, 'events.csv', toCsv(makeRows()));
      await mkdir(join(dir, 'lake'));
      const parts = await toParquetParts(csv, join(dir, 'lake'), 3);
      const fromCsv = await prepareData(testSpec({ source: csv }), { cwd: join(dir, 'a') });
      const spec = testSpec({ source: join(dir, 'lake', 'part-*.parquet') });
      assert.equal(spec.data.interactions.format, 'parquet');
      const fromParquet = await prepareData(spec, { cwd: join(dir, 'b') });
      assert.equal(await read(fromParquet.workDir, 'interactions.csv'), await read(fromCsv.workDir, 'interactions.csv'));
      assert.equal(await read(fromParquet.workDir, 'ground-truth.json'), await read(fromCsv.workDir, 'ground-truth.json'));
      assert.equal(fromParquet.stats.rowsRead, makeRows().length);
      assert.deepEqual(
        fromParquet.sources.map((s) => s.name),
        parts,
      );
      // The same files as an explicit list read the same.
      const listed = await prepareData(testSpec({ source: parts }), { cwd: join(dir, 'c') });
      assert.equal(listed.fingerprint, fromParquet.fingerprint);
    });
  });

  it('errors name the source: a glob matching nothing, mixed formats, files with different columns', async () => {
    await withTempDir(async (dir) => {
      await rejects(
        prepareData(testSpec({ source: join(dir, 'none-*.csv') }), { cwd: dir }),
        'DATA_SOURCE_MISSING',
        /data\.interactions\.source: .*none-\*\.csv matches no file/,
      );
      const csv = await writeFixture(dir, 'a.csv', toCsv(makeRows()));
      await writeFixture(dir, 'b.jsonl', '{"user":"u1","item":"i1","ts":1}\n');
      await rejects(
        prepareData(testSpec({ source: [csv, join(dir, 'b.jsonl')] }), { cwd: dir }),
        'DATA_SOURCE_MIXED_FORMATS',
        /data\.interactions\.source mixes formats: csv \(.*a\.csv\), jsonl \(.*b\.jsonl\)/,
      );
      await writeFixture(dir, 'c.csv', 'user,item,when\nu1,i1,1\n');
      await rejects(
        prepareData(testSpec({ source: [csv, join(dir, 'c.csv')] }), { cwd: dir }),
        'DATA_SOURCE_COLUMNS',
        /c\.csv does not have the columns of .*a\.csv/,
      );
    });
  });

  it('bad rows in a multi-file CSV source name the file and its own line', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      await writeFixture(dir, 'events-1.csv', toCsv(rows.slice(0, 1000)));
      await writeFixture(dir, 'events-2.csv.gz', toCsv(rows.slice(1000)) + 'u1,i1,not-a-date\n');
      const spec = testSpec({ source: join(dir, 'events-*'), interactions: { format: 'csv' } });
      const e = await prepareData(spec, { cwd: dir }).catch((x: unknown) => x);
      assert.ok(isSegflowError(e) && e.code === 'DATA_BAD_ROWS', String(e));
      assert.match(
        e.details.join('\n'),
        new RegExp(`events-2\\.csv\\.gz: line ${rows.length - 1000 + 2}: TIMESTAMP \\(column 'ts'\\) does not parse: not-a-date`),
      );
    });
  });
});

/** An in-memory bucket: objects with ETags, counting downloads like the SDK adapter's caller does. */
class MemoryStore implements ObjectStore {
  objects = new Map<string, { body: Buffer; etag: string }>();
  downloads = 0;
  put(key: string, body: Buffer | string, etag: string) {
    this.objects.set(key, { body: Buffer.from(body), etag });
  }
  async list(_bucket: string, prefix: string): Promise<ObjectInfo[]> {
    return [...this.objects]
      .filter(([k]) => k.startsWith(prefix))
      .map(([key, o]) => ({ key, etag: o.etag, size: o.body.length }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }
  async head(_bucket: string, key: string) {
    const o = this.objects.get(key);
    return o ? { etag: o.etag, size: o.body.length } : ('absent' as const);
  }
  async download(_bucket: string, key: string, dest: string) {
    this.downloads++;
    await writeFile(dest, this.objects.get(key)!.body);
  }
}

describe('prepare: s3:// sources through the ObjectStore port', () => {
  it('downloads once into the ETag cache, then 0 bytes; a changed object re-runs prepare and says why', async () => {
    await withTempDir(async (dir) => {
      const rows = makeRows();
      const store = new MemoryStore();
      store.put('events/part-1.csv', toCsv(rows.slice(0, 1200)), 'e1');
      store.put('events/part-2.csv', toCsv(rows.slice(1200)), 'e2');
      store.put('other/x.csv', 'nope', 'e3');
      const spec = testSpec({ source: 's3://lake/events/part-*.csv' });
      const first = await prepareData(spec, { cwd: dir, objects: store });
      assert.equal(first.upToDate, false);
      assert.equal(first.download.objects, 2);
      assert.equal(first.download.bytes, store.objects.get('events/part-1.csv')!.body.length + store.objects.get('events/part-2.csv')!.body.length);
      assert.deepEqual(first.sources, [
        { name: 's3://lake/events/part-1.csv', etag: 'e1', size: store.objects.get('events/part-1.csv')!.body.length },
        { name: 's3://lake/events/part-2.csv', etag: 'e2', size: store.objects.get('events/part-2.csv')!.body.length },
      ]);
      const local = await writeFixture(dir, 'all.csv', toCsv(rows));
      const reference = await prepareData(testSpec({ source: local }), { cwd: join(dir, 'ref') });
      assert.equal(await read(first.workDir, 'interactions.csv'), await read(reference.workDir, 'interactions.csv'));

      const again = await prepareData(spec, { cwd: dir, objects: store });
      assert.equal(again.upToDate, true);
      assert.deepEqual(again.download, { objects: 0, bytes: 0, cached: 0 });
      assert.equal(store.downloads, 2);

      store.put('events/part-2.csv', toCsv(rows.slice(1200, 2000)), 'e2b');
      const changed = await prepareData(spec, { cwd: dir, objects: store });
      assert.equal(changed.upToDate, false);
      assert.deepEqual(changed.changes, ['s3://lake/events/part-2.csv changed (etag e2 -> e2b)']);
      assert.deepEqual({ objects: changed.download.objects, cached: changed.download.cached }, { objects: 1, cached: 1 });
      assert.equal(changed.stats.rowsRead, 2000);

      await rejects(
        prepareData(testSpec({ source: 's3://lake/events/missing.csv' }), { cwd: dir, objects: store }),
        'DATA_SOURCE_MISSING',
        /s3:\/\/lake\/events\/missing\.csv does not exist/,
      );
      await rejects(prepareData(testSpec({ source: 's3://lake/nothing/*.csv' }), { cwd: dir, objects: store }), 'DATA_SOURCE_MISSING', /matches no object/);
      await rejects(prepareData(spec, { cwd: join(dir, 'x') }), 'DATA_SOURCE_S3', /no S3 client/);
    });
  });
});

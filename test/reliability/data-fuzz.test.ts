import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateInteractions, specYaml } from '../e2e-support.js';
import { startStandalone } from './support.js';
import { runCli, show, type CliResult } from '../support/run-cli.js';

/**
 * Bad data through the built CLI's `segflow prepare`: each case must end in a clear error (a DATA_* code, the
 * line when a line is to blame), exit 2, no stack trace, and no half-written output. The same bad data under
 * `apply` against a standalone emulator must make no create call at all.
 */
const good = generateInteractions();
const goodLines = good.trimEnd().split('\n');
const withLine = (n: number, line: string) => [...goodLines.slice(0, n - 1), line, ...goodLines.slice(n)].join('\n') + '\n';
const asJsonl = (lines: string[]) =>
  lines.slice(1).map((l) => {
    const [user, item, ts] = l.split(',');
    return JSON.stringify({ user, item, ts });
  });

interface Case {
  name: string;
  file: string;
  body: Buffer | string;
  /** the 1-based line the error must name, when a line is to blame */
  line?: number;
  code: RegExp;
}

const jsonl = asJsonl(goodLines);
const cases: Case[] = [
  { name: 'truncated gzip', file: 'data.csv.gz', body: gzipSync(good).subarray(0, Math.floor(gzipSync(good).length / 2)), code: /DATA_/ },
  {
    name: 'invalid UTF-8',
    file: 'data.csv',
    body: Buffer.concat([
      Buffer.from(goodLines.slice(0, 41).join('\n') + '\n'),
      Buffer.from([0x75, 0x39, 0x2c, 0xff, 0xfe, 0x2c]),
      Buffer.from('2021-02-01T00:00:00Z\n' + goodLines.slice(41).join('\n') + '\n'),
    ]),
    line: 42,
    code: /DATA_/,
  },
  {
    name: 'a broken JSON line',
    file: 'data.jsonl',
    body: [...jsonl.slice(0, 99), '{"user": "u1", "item": ', ...jsonl.slice(99)].join('\n') + '\n',
    line: 100,
    code: /DATA_/,
  },
  {
    name: 'a missing column',
    file: 'data.csv',
    body: good.replace('user,item,ts', 'user,item,when'),
    code: /pipeline\.yaml:\d+:\d+: error SPEC_COLUMN_UNKNOWN: .*no column 'ts' in the header of data\.csv \(columns: user, item, when\)/,
  },
  { name: 'a row with an extra column', file: 'data.csv', body: withLine(57, 'u3,i7,2021-03-01T00:00:00Z,surprise'), line: 57, code: /DATA_/ },
  { name: 'a row with a missing column', file: 'data.csv', body: withLine(58, 'u3,i7'), line: 58, code: /DATA_/ },
  { name: 'a wrong type (timestamp)', file: 'data.csv', body: withLine(77, 'u3,i7,yesterday'), line: 77, code: /DATA_/ },
  {
    name: 'a wrong type (JSON number for an id, object for a timestamp)',
    file: 'data.jsonl',
    body: [...jsonl.slice(0, 30), '{"user": "u1", "item": "i1", "ts": {"nested": true}}', ...jsonl.slice(30)].join('\n') + '\n',
    line: 31,
    code: /DATA_/,
  },
  { name: 'an empty file', file: 'data.csv', body: '', code: /DATA_/ },
  { name: 'a header and nothing else', file: 'data.csv', body: 'user,item,ts\n', code: /DATA_/ },
  { name: 'a 10 MB line', file: 'data.csv', body: withLine(90, `u3,i7,${'9'.repeat(10 * 1024 * 1024)}`), line: 90, code: /DATA_/ },
  {
    name: 'a 10 MB JSON line',
    file: 'data.jsonl',
    body: [...jsonl.slice(0, 20), JSON.stringify({ user: 'u1', item: 'i1', ts: 'x'.repeat(10 * 1024 * 1024) }), ...jsonl.slice(20)].join('\n') + '\n',
    line: 21,
    code: /DATA_/,
  },
];

function specFor(file: string, extra = '', endpoint?: string): string {
  return specYaml({ name: 'fuzz', source: file, ...(endpoint ? { endpoint } : {}) }) + extra;
}

async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    if (f.name === 'source-hashes.json') continue; // a cache of the sources' hashes (written atomically), not an output
    const p = join(f.parentPath, f.name);
    out.set(
      p.slice(dir.length),
      createHash('sha256')
        .update(await readFile(p))
        .digest('hex'),
    );
  }
  return out;
}

function assertClearError(c: Case, r: CliResult): void {
  assert.equal(r.code, 2, `${c.name}: ${show(r)}`);
  assert.match(r.stderr, c.code, `${c.name}: ${show(r)}`);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${c.name}: a stack trace\n${show(r)}`);
  if (c.line !== undefined) assert.match(r.stderr, new RegExp(`line ${c.line}\\b`), `${c.name}: the error must name line ${c.line}\n${show(r)}`);
  assert.ok(r.stderr.length < 20_000, `${c.name}: the error must stay readable (${r.stderr.length} characters)`);
}

describe('data fuzzing through segflow prepare', () => {
  for (const c of cases) {
    test(`${c.name}: exit 2 with a clear error, nothing written`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'segflow-rel-data-'));
      await writeFile(join(dir, c.file), c.body);
      await writeFile(join(dir, 'pipeline.yaml'), specFor(c.file));
      const r = await runCli(dir, ['prepare', 'pipeline.yaml']);
      assertClearError(c, r);
      const work = await tree(join(dir, '.segflow', 'work'));
      assert.deepEqual([...work.keys()], [], `${c.name}: half-written output`);
    });
  }

  test('bad data after a good prepare leaves the previous outputs exactly as they were', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'segflow-rel-data-'));
    await writeFile(join(dir, 'data.csv'), good);
    await writeFile(join(dir, 'pipeline.yaml'), specFor('data.csv'));
    const ok = await runCli(dir, ['prepare', 'pipeline.yaml']);
    assert.equal(ok.code, 0, show(ok));
    const before = await tree(join(dir, '.segflow', 'work'));
    assert.ok(before.size >= 4);
    await writeFile(join(dir, 'data.csv'), withLine(77, 'u3,i7,yesterday'));
    const bad = await runCli(dir, ['prepare', 'pipeline.yaml']);
    assertClearError({ name: 'wrong type after good', file: 'data.csv', body: '', line: 77, code: /DATA_/ }, bad);
    assert.deepEqual(await tree(join(dir, '.segflow', 'work')), before);
  });

  test('apply with bad data makes no AWS call that creates anything', async () => {
    const emu = await startStandalone();
    try {
      let runs = 0;
      for (const c of cases.filter((x) => x.name !== 'a 10 MB line')) {
        const dir = await mkdtemp(join(tmpdir(), 'segflow-rel-data-'));
        await writeFile(join(dir, c.file), c.body);
        await writeFile(join(dir, 'pipeline.yaml'), specFor(c.file, '', emu.endpoint));
        const r = await runCli(dir, ['apply', 'pipeline.yaml', '--auto-approve']);
        assert.equal(r.code, 2, `${c.name}: ${show(r)}`);
        assert.match(r.stderr, c.code);
        runs++;
      }
      const calls = (await emu.calls()) as { total: number; services: Record<string, Record<string, number>> };
      const creates = Object.entries(calls.services).flatMap(([service, ops]) =>
        Object.keys(ops)
          .filter((op) => /^(Create|Put|Upload|Attach|Complete|Tag|Update)/.test(op))
          .map((op) => `${service}:${op}`),
      );
      assert.deepEqual(creates, [], `create calls were made with bad data: ${JSON.stringify(calls)}`);
      console.log(`data fuzz: ${cases.length} bad files through prepare, ${runs} through apply, ${calls.total} AWS calls, create calls 0`);
    } finally {
      await emu.stop();
    }
  });
});

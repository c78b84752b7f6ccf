import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERRORS, SegflowError, inputError, refusal } from './errors.js';
import { packageRoot } from './paths.js';

test('docs/errors.md lists every code with its exit code, and nothing else', () => {
  const doc = readFileSync(join(packageRoot, 'docs', 'errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\d) \| (.+) \|$/gm)].map((m) => [m[1]!, Number(m[2])]);
  assert.deepEqual(rows, Object.entries(ERRORS).map(([code, e]) => [code, e.exit]));
});

test('every code used in src is in the table (the compiler checks literals; this catches codes built at run time)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') && !n.endsWith('.test.ts') ? [join(dir, n)] : []));
  const used = new Set<string>();
  for (const f of files(join(packageRoot, 'src'))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:new SegflowError|inputError|refusal)\(\s*'([A-Z_]+)'/g)) used.add(m[1]!);
  }
  assert.ok(used.size > 30, `found ${used.size} codes`);
  assert.deepEqual([...used].filter((c) => !(c in ERRORS)), []);
});

test('the exit code comes from the code', () => {
  assert.equal(new SegflowError('RUN_WAIT_TIMEOUT', 'x').exitCode, 1);
  assert.equal(inputError('DATA_EMPTY', 'x').exitCode, 2);
  assert.equal(refusal('STATE_LOCKED', 'x').exitCode, 3);
});

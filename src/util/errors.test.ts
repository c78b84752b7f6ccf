import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERRORS, SegflowError, inputError, isErrorCode, refusal } from './errors.js';
import { packageRoot } from './paths.js';

test('docs/errors.md lists every code with its exit code, and nothing else', () => {
  const doc = readFileSync(join(packageRoot, 'docs', 'errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (\d) \| (.+) \|$/gm)].map((m) => [m[1]!, Number(m[2])]);
  assert.deepEqual(
    rows,
    Object.entries(ERRORS).map(([code, e]) => [code, e.exit]),
  );
});

/**
 * What this can check: codes written as literals (the compiler checks them too) and codes never written anywhere
 * (a documented code nothing raises). A code built at run time cannot be read from the source: the one place that
 * builds one (a model worker's error) goes through isErrorCode, tested below.
 */
test('every code written in src is in the table, and every code in the table is written somewhere in src', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) =>
      statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') && !n.endsWith('.test.ts') ? [join(dir, n)] : [],
    );
  const raised = new Set<string>();
  const quoted = new Set<string>();
  for (const f of files(join(packageRoot, 'src'))) {
    if (f.endsWith(join('util', 'errors.ts'))) continue;
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:new SegflowError|inputError|refusal)\(\s*'([A-Z_]+)'/g)) raised.add(m[1]!);
    for (const m of text.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) quoted.add(m[1]!);
  }
  assert.ok(raised.size > 30, `found ${raised.size} codes`);
  assert.deepEqual(
    [...raised].filter((c) => !(c in ERRORS)),
    [],
    'raised but not documented',
  );
  assert.deepEqual(
    Object.keys(ERRORS).filter((c) => !quoted.has(c)),
    [],
    'documented but never used',
  );
});

test('a code that arrives at run time (from a worker) is accepted only if it is in the table', () => {
  assert.equal(isErrorCode('RUN_MODEL_FAILED'), true);
  assert.equal(isErrorCode('RUN_MODEL_EXPLODED'), false);
  assert.equal(isErrorCode('__proto__'), false);
  assert.equal(isErrorCode(42), false);
});

test('the exit code comes from the code', () => {
  assert.equal(new SegflowError('RUN_WAIT_TIMEOUT', 'x').exitCode, 1);
  assert.equal(inputError('DATA_EMPTY', 'x').exitCode, 2);
  assert.equal(refusal('STATE_LOCKED', 'x').exitCode, 3);
});

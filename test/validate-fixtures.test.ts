import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixturesDir, runCli, runInProcess } from './support/run-cli.js';

// Golden files: the exact text `segflow validate` prints for each fixture (reviewed by hand when written).
const specsDir = join(fixturesDir, 'specs');
const normalize = (text: string) => text.split(specsDir).join('<fixtures>');

for (const expectedFile of readdirSync(specsDir).filter((f) => f.endsWith('.expected'))) {
  const spec = expectedFile.replace(/\.expected$/, '.yaml');
  test(`validate ${spec} prints exactly ${expectedFile}`, async () => {
    const expected = readFileSync(join(specsDir, expectedFile), 'utf8');
    const result = await runInProcess(specsDir, ['validate', spec]);
    assert.equal(normalize(result.stdout), expected);
    assert.equal(result.stderr, '');
    assert.equal(result.code, expected.includes(': valid (') ? 0 : 2);
  });
}

test('a spec with many independent mistakes reports each with line and column', async () => {
  const result = await runInProcess(specsDir, ['validate', 'multi-error.yaml']);
  const located = result.stdout.split('\n').filter((l) => /^multi-error\.yaml:\d+:\d+: error /.test(l));
  const codes = located.map((l) => /error (\S+):/.exec(l)![1]);
  assert.deepEqual(codes, [
    'SPEC_NAME',
    'SPEC_REGION_REQUIRED',
    'SPEC_FORMAT_UNKNOWN',
    'SPEC_MISSING_KEY',
    'SPEC_TYPE',
    'SPEC_UNKNOWN_KEY',
    'SPEC_TEST_START',
    'SPEC_ITEM_SAMPLE',
    'SPEC_ATTRIBUTE_QUERY',
    'SPEC_BUCKET',
    'SPEC_RECIPE',
    'SPEC_FRACTION',
    'SPEC_BUDGET',
    'SPEC_TAGS',
    'SPEC_TYPE',
  ]);
  // Spot-check positions against the file itself.
  assert.ok(located.some((l) => l.startsWith('multi-error.yaml:2:7: error SPEC_NAME')));
  assert.ok(located.some((l) => l.startsWith('multi-error.yaml:10:5: error SPEC_UNKNOWN_KEY') && l.includes("did you mean 'minInteractionsPerUser'")));
  assert.equal(result.code, 2);
});

test('the built bin validates every shipped pipeline with exit 0', async () => {
  const pipelines = join(fixturesDir, '..', '..', 'pipelines');
  const files = readdirSync(pipelines).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 3);
  for (const f of files) {
    const result = await runCli(pipelines, ['validate', join(pipelines, f)]);
    assert.equal(result.code, 0, `${f}: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /: valid \(pipeline /);
  }
});

test('the built bin exits 2 on an invalid spec and prints no stack trace', async () => {
  const result = await runCli(specsDir, ['validate', 'yaml-syntax.yaml']);
  assert.equal(result.code, 2);
  assert.match(result.stdout, /^yaml-syntax\.yaml:7:1: error SPEC_YAML: /);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .+:\d+:\d+\)?\n/);
});

test('validate --json gives machine-readable diagnostics', async () => {
  const result = await runInProcess(specsDir, ['validate', '--json', 'duplicate-key.yaml']);
  const parsed = JSON.parse(result.stdout) as { valid: boolean; diagnostics: Array<{ code: string; line: number; col: number }> };
  assert.equal(parsed.valid, false);
  assert.deepEqual(
    parsed.diagnostics.map((d) => [d.code, d.line, d.col]),
    [
      ['SPEC_DUPLICATE_KEY', 3, 1],
      ['SPEC_TYPE', 19, 15],
    ],
  );
  assert.equal(result.code, 2);
});

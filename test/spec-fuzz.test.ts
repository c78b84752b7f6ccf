import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../src/util/paths.js';
import { runCli, runInProcess, type CliResult } from './support/run-cli.js';

/**
 * Property: whatever a user writes, validate answers with exit 0 or 2, never a crash past the top-level catch,
 * and every problem it prints carries a line and a column.
 */
const seeds = ['online-retail.yaml', 'grocery-item-attribute-affinity.yaml'].map((f) => readFileSync(join(packageRoot, 'pipelines', f), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'segflow-fuzz-'));
// `npm test` runs 1,600 cases; `npm run test:fuzz` (SEGFLOW_FUZZ_SCALE=4) runs 6,400 and prints the count.
const scale = Math.max(1, Number(process.env['SEGFLOW_FUZZ_SCALE'] ?? 1));
let casesRun = 0;
const LOCATED = /^spec\.yaml:\d+:\d+: (error|warning) [A-Z][A-Z0-9_]+: \S/;

function assertWellBehaved(result: CliResult, input: string): void {
  const context = `input:\n${input}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
  assert.ok(result.code === 0 || result.code === 2, `exit ${result.code}\n${context}`);
  assert.doesNotMatch(result.stderr, /unexpected error/, context);
  const lines = result.stdout.split('\n');
  const reported = lines.filter((l) => /^spec\.yaml:\d/.test(l));
  for (const line of reported) assert.match(line, LOCATED, context);
  if (result.code === 2)
    assert.ok(
      reported.some((l) => / error /.test(l)),
      `exit 2 without a located error\n${context}`,
    );
}

async function validate(text: string): Promise<CliResult> {
  casesRun += 1;
  writeFileSync(join(dir, 'spec.yaml'), text);
  return runInProcess(dir, ['validate', 'spec.yaml']);
}

type Path = Array<string | number>;
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(doc: unknown, path: Path, op: 'delete' | 'replace' | 'rename' | 'add', value: unknown, key: string): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return op === 'replace' ? value : copy;
  // Every proper prefix of a path from paths() names an object or an array.
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown> | unknown[];
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    if (op === 'delete') parent.splice(Number(last), 1);
    else if (op === 'replace') parent[Number(last)] = value;
  } else if (op === 'delete') delete parent[last];
  else if (op === 'replace') parent[last] = value;
  else if (op === 'rename') {
    parent[key] = parent[last];
    delete parent[last];
  } else parent[key] = value;
  return copy;
}

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string(),
  fc.constantFrom('2011-11-02', '2011-11-02T00:00:00Z', 'aws', 'local', 'aws-item-attribute-affinity', 'ITEMS.X = "y"', -1, 0, 1.5, 501, 5000001, null, true),
);

test('structural mutations of valid specs: exit 0 or 2, every problem located', async () => {
  const seedDocs = seeds.map((s) => parse(s) as unknown);
  await fc.assert(
    fc.asyncProperty(
      fc.nat(seedDocs.length - 1),
      fc.nat(),
      fc.constantFrom('delete', 'replace', 'rename', 'add' as const),
      anyValue,
      fc.string({ minLength: 1, maxLength: 12 }),
      async (seedIndex, pick, op, value, key) => {
        const doc = seedDocs[seedIndex]!;
        const all = paths(doc);
        const mutated = mutate(doc, all[pick % all.length]!, op, value, key);
        const text = stringify(mutated);
        assertWellBehaved(await validate(text), text);
      },
    ),
    { numRuns: 600 * scale, seed: 20261128 },
  );
});

test('textual mutations (duplicate, drop, truncate, splice random text): exit 0 or 2, every problem located', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(seeds.length - 1),
      fc.nat(),
      fc.constantFrom('duplicate-line', 'drop-line', 'truncate', 'splice'),
      fc.string({ unit: 'binary', maxLength: 20 }),
      async (seedIndex, at, op, junk) => {
        const lines = seeds[seedIndex]!.split('\n');
        const i = at % lines.length;
        let text: string;
        if (op === 'duplicate-line') text = [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n');
        else if (op === 'drop-line') text = [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
        else {
          const whole = lines.join('\n');
          const pos = at % (whole.length + 1);
          text = op === 'truncate' ? whole.slice(0, pos) : whole.slice(0, pos) + junk + whole.slice(pos);
        }
        assertWellBehaved(await validate(text), text);
      },
    ),
    { numRuns: 600 * scale, seed: 7 },
  );
});

test('random YAML documents: exit 0 or 2, every problem located', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
      ),
      async (text) => {
        assertWellBehaved(await validate(text), text);
      },
    ),
    { numRuns: 400 * scale, seed: 42 },
  );
});

test.after(() => {
  console.log(`spec fuzzing: ${casesRun} generated or mutated specs validated in process, 0 crashes, every problem located`);
});

test('the built CLI behaves the same on a sample of mutated specs', async () => {
  const samples = fc.sample(fc.tuple(fc.nat(seeds.length - 1), fc.nat(), fc.string({ maxLength: 8 })), { numRuns: 8, seed: 3 });
  for (const [seedIndex, at, junk] of samples) {
    const whole = seeds[seedIndex]!;
    const pos = at % whole.length;
    const text = whole.slice(0, pos) + junk + whole.slice(pos);
    writeFileSync(join(dir, 'spec.yaml'), text);
    assertWellBehaved(await runCli(dir, ['validate', 'spec.yaml']), text);
  }
});

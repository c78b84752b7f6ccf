import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { pipelineSteps } from '../src/resources/index.js';
import { loadSpec } from '../src/spec/load.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * The house rules of docs/architecture.md, checked on the source tree (the .ts files, tests excluded): which folder
 * may import which (the page's table and ALLOWED agree), no folder cycles, the AWS SDK only in src/aws, `process`
 * only in src/cli, no step id in the generic walks, the leaves loaded lazily, short functions; and every file and
 * name the page cites exists.
 */
const SRC = join(packageRoot, 'src');
const DOC = join(packageRoot, 'docs', 'architecture.md');

/** Who may import whom. cli is the composition root; the leaves (data, eval, model, emulator) sit beside. */
export const ALLOWED: Record<string, string[]> = {
  cli: ['ui', 'engine', 'plan', 'resources', 'aws', 'cost', 'spec', 'state', 'util', 'data', 'eval', 'model', 'emulator', 'build'],
  ui: ['engine', 'plan', 'cost', 'spec', 'util'],
  engine: ['plan', 'resources', 'aws', 'cost', 'spec', 'state', 'util'],
  plan: ['resources', 'cost', 'data', 'spec', 'state', 'util'],
  resources: ['aws', 'cost', 'data', 'spec', 'state', 'util'],
  cost: ['data', 'spec', 'util'],
  aws: ['spec', 'util'],
  state: ['aws', 'util'],
  spec: ['util'],
  util: [],
  data: ['spec', 'util'],
  eval: ['data', 'spec', 'util'],
  model: ['spec', 'util'],
  emulator: ['model', 'spec', 'util'],
  build: ['spec', 'util'],
};

/**
 * Outside src/data, only its contracts are imported: the artifact files it writes and the object store it reads
 * s3:// sources through (the rest of data/ is reached through DataPort).
 */
const DATA_CONTRACTS = ['data/artifacts.ts', 'data/object-store.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports and re-exports, and of dynamic import('...'). */
export function importsOf(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0]!;

interface Edge {
  from: string;
  to: string;
  file: string;
  target: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      if (!target.startsWith(SRC)) continue;
      out.push({ from: folderOf(file), to: folderOf(target), file: relative(SRC, file), target: relative(SRC, target) });
    }
  }
  return out;
}

test('every import goes in an allowed direction', () => {
  const wrong = edges().filter((e) => e.from !== e.to && !(ALLOWED[e.from] ?? []).includes(e.to));
  assert.deepEqual(
    wrong.map((e) => `${e.file} -> ${e.target}`),
    [],
  );
  const folders = readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory());
  assert.deepEqual(
    folders.filter((d) => !(d in ALLOWED)),
    [],
    'a new folder needs its place in ALLOWED and docs/architecture.md',
  );
});

test('outside src/data and src/cli, only the contracts of src/data are imported', () => {
  const wrong = edges().filter((e) => e.to === 'data' && e.from !== 'data' && e.from !== 'cli' && !DATA_CONTRACTS.includes(e.target));
  assert.deepEqual(
    wrong.map((e) => `${e.file} -> ${e.target}`),
    [],
  );
});

test('the folders import each other without a cycle', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges()) if (e.from !== e.to) (graph.get(e.from) ?? graph.set(e.from, new Set()).get(e.from)!).add(e.to);
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (n: string, path: string[]) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') {
      cycles.push([...path.slice(path.indexOf(n)), n].join(' -> '));
      return;
    }
    state.set(n, 'open');
    for (const m of graph.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n, []);
  assert.deepEqual(cycles, []);
});

test('only src/aws imports the AWS SDK', () => {
  const wrong = sourceFiles(SRC).filter((f) => folderOf(f) !== 'aws' && importsOf(readFileSync(f, 'utf8')).some((s) => s.startsWith('@aws-sdk/')));
  assert.deepEqual(
    wrong.map((f) => relative(SRC, f)),
    [],
  );
});

/**
 * argv, env, exit, stdio, cwd, signals and their handlers: the process boundary. pid (lock identity) is not, nor
 * `process.kill(pid, 0)`: signal 0 sends nothing, it asks whether a lock holder still runs.
 */
export const PROCESS_USE =
  /\bprocess\.(?:(?:argv|env|exit|exitCode|abort|stdin|stdout|stderr|cwd|chdir|umask|emitWarning|on|once|off|addListener|prependListener|removeListener|removeAllListeners)\b|kill\b(?!\(\s*[\w.]+\s*,\s*0\s*\)))/;

test('only src/cli touches the process', () => {
  const wrong = sourceFiles(SRC)
    .filter((f) => folderOf(f) !== 'cli')
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${relative(SRC, f)}:${i + 1}` }))
        .filter(({ line }) => PROCESS_USE.test(line.replace(/\/\/.*$|^\s*\*.*$/, '')))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
  assert.deepEqual(wrong, []);
  const viaModule = sourceFiles(SRC).filter(
    (f) => folderOf(f) !== 'cli' && importsOf(readFileSync(f, 'utf8')).some((s) => s === 'process' || s === 'node:process'),
  );
  assert.deepEqual(
    viaModule.map((f) => relative(SRC, f)),
    [],
    'the process module is the process too',
  );
});

/** The page's table of folders: who may import whom, as the page says it ("everything", "nothing", a list). */
export function documentedImports(markdown: string, folders: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of markdown.matchAll(/^\|\s*`(\w+)\/`[^|]*\|[^|]*\|([^|]*)\|\s*$/gm)) {
    const folder = m[1]!;
    const said = m[2]!.replace(/\([^)]*\)/g, '').trim();
    if (said === 'everything') out[folder] = folders.filter((f) => f !== folder);
    else if (said === 'nothing') out[folder] = [];
    else out[folder] = said.split(',').map((w) => w.trim().split(/\s+/)[0]!);
  }
  return out;
}

test("docs/architecture.md's table of folders is the one this test enforces", () => {
  const folders = Object.keys(ALLOWED);
  const documented = documentedImports(readFileSync(DOC, 'utf8'), folders);
  const sorted = (r: Record<string, string[]>) =>
    Object.fromEntries(
      Object.keys(r)
        .sort()
        .map((k) => [k, [...r[k]!].sort()]),
    );
  assert.deepEqual(sorted(documented), sorted(ALLOWED));
});

test('src/state reaches src/aws only for the S3Port type and the AWS error kinds', () => {
  const wrong = edges().filter((e) => e.from === 'state' && e.to === 'aws' && !['aws/ports.ts', 'aws/errors.ts'].includes(e.target));
  assert.deepEqual(
    wrong.map((e) => `${e.file} -> ${e.target}`),
    [],
  );
});

test('the steps and the plan never see where the state lives: no state backend in src/resources or src/plan', () => {
  const backends = ['state/backend.ts', 'state/local-backend.ts', 'state/s3-backend.ts', 'state/s3-lock.ts', 'util/file-lock.ts'];
  const wrong = edges().filter((e) => (e.from === 'resources' || e.from === 'plan') && backends.includes(e.target));
  assert.deepEqual(
    wrong.map((e) => `${e.file} -> ${e.target}`),
    [],
  );
});

test('src/plan and src/cost are pure: no Node built-in (what plan reads comes through the step context)', () => {
  const builtin = (s: string) => s.startsWith('node:') || builtinModules.includes(s);
  const wrong = sourceFiles(SRC).filter((f) => ['plan', 'cost'].includes(folderOf(f)) && importsOf(readFileSync(f, 'utf8')).some(builtin));
  assert.deepEqual(
    wrong.map((f) => relative(SRC, f)),
    [],
  );
});

/** Module specifiers a file imports statically (import type, which compiles to nothing, aside). */
export function staticImportsOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(import|export)\s(?!type\s)[^'"]*?from\s*['"]([^'"]+)['"]/g)) found.push(m[2]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

test('cli/engine-deps.ts loads the leaves (data, eval, emulator, model) only when first used', () => {
  const file = join(SRC, 'cli', 'engine-deps.ts');
  const leaves = staticImportsOf(readFileSync(file, 'utf8')).filter((s) => /^\.\.\/(data|eval|emulator|model)\//.test(s));
  assert.deepEqual(leaves, []);
});

/** Every step id and kind of the example pipelines (between them: items, users, a filter, several segmentations). */
async function stepNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const dir = join(packageRoot, 'pipelines');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const spec = await loadSpec(join(dir, file), { mode: 'validate', cwd: packageRoot });
    for (const step of pipelineSteps(spec)) names.add(step.id).add(step.kind);
  }
  return names;
}

/** String literals (and template heads) of a file that name a step: an id or kind, or one followed by ':' or '-'. */
export function stepLiterals(fileName: string, text: string, names: ReadonlySet<string>): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const prefixes = [...names];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
      const t = node.text;
      if (names.has(t) || prefixes.some((n) => t.startsWith(`${n}:`) || (ts.isTemplateHead(node) && t === `${n}-`))) {
        found.push(`${fileName}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: '${t}'`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('src/engine and src/plan name no step id or resource kind: adding a resource changes neither', async () => {
  const names = await stepNames();
  for (const expected of ['prepare', 'training', 'metrics', 'segments', 'evaluate', 'filter', 'schema-users', 'segments:kinds'])
    assert.ok(names.has(expected), expected);
  const found = sourceFiles(SRC)
    .filter((f) => ['engine', 'plan'].includes(folderOf(f)))
    .flatMap((f) => stepLiterals(relative(SRC, f), readFileSync(f, 'utf8'), names));
  assert.deepEqual(found, []);
});

/** The paths and code names the page cites: backticked in its text, as words in its diagrams, and its links. */
function citations(markdown: string): { paths: string[]; names: string[] } {
  const diagrams = [...markdown.matchAll(/```[\s\S]*?```/g)].map((m) => m[0]).join('\n');
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  const ticked = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const links = [...text.matchAll(/\]\(([^)#]+)\)/g)].map((m) => join('docs', m[1]!));
  const paths = [...ticked.filter((t) => /^[\w./-]+\/[\w./-]*$/.test(t) && !t.startsWith('@')), ...links, ...(diagrams.match(/[\w-]+\/[\w./-]+\.ts\b/g) ?? [])];
  const name = /^([a-z]+[A-Z]\w*|[A-Z][a-z]+[A-Z]\w*)(\(.*\))?$/;
  const names = [...ticked, ...(diagrams.match(/\b\w+\b/g) ?? [])].map((t) => name.exec(t)?.[1]).filter((n): n is string => n !== undefined);
  return { paths: [...new Set(paths)], names: [...new Set(names)] };
}

test('every file and code name docs/architecture.md cites exists', () => {
  const { paths, names } = citations(readFileSync(DOC, 'utf8'));
  assert.ok(paths.length > 20 && names.length > 20, `${paths.length} paths, ${names.length} names`);
  const missing = paths.filter((p) => ![packageRoot, SRC].some((root) => existsSync(join(root, p))));
  assert.deepEqual(missing, [], 'cited paths (from the repository root or src/)');
  const code = sourceFiles(SRC)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  assert.deepEqual(
    names.filter((n) => !new RegExp(`\\b${n}\\b`).test(code)),
    [],
    'cited names not found in src/',
  );
});

/** A function a reader can follow fits on a few screens; longer ones are split into named phases. */
export const MAX_FUNCTION_LINES = 100;

/** The SDK port tables (one flat method per AWS call) may stay long: their length is a list, not a procedure. */
const PORT_TABLE = /^aws\/[^/]+-port\.ts$/;

/** Every function-like node (declarations, expressions, arrows, methods, accessors) longer than `max` lines. */
export function longFunctions(fileName: string, text: string, max = MAX_FUNCTION_LINES): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push(`${fileName}:${first + 1}: ${functionName(node)} has ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
}

test(`no function in src/ is over ${MAX_FUNCTION_LINES} lines (the SDK port tables aside)`, () => {
  const long = sourceFiles(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !PORT_TABLE.test(f))
    .flatMap((f) => longFunctions(f, readFileSync(join(SRC, f), 'utf8')));
  assert.deepEqual(long, []);
});

test('the rules themselves catch what they are meant to catch', () => {
  assert.deepEqual(importsOf(`import { a } from './a.js';\nexport * from "../b/c.js";\nconst m = await import('../d/e.js');\nimport './side.js';`), [
    './a.js',
    '../b/c.js',
    '../d/e.js',
    './side.js',
  ]);
  assert.ok(PROCESS_USE.test('const cwd = process.cwd();'));
  assert.ok(PROCESS_USE.test("process.stderr.write('x')"));
  assert.ok(!PROCESS_USE.test('const pid = process.pid;'));
  assert.ok(PROCESS_USE.test("process.kill(child.pid, 'SIGTERM');"));
  assert.ok(PROCESS_USE.test('process.kill(pid);'));
  assert.ok(PROCESS_USE.test("process.on('SIGINT', stop);"));
  assert.ok(!PROCESS_USE.test('process.kill(pid, 0);'), 'a liveness probe sends no signal');
  assert.deepEqual(staticImportsOf(`import type { A } from '../data/a.js';\nimport { b } from '../eval/b.js';\nconst c = await import('../data/c.js');`), [
    '../eval/b.js',
  ]);
  assert.deepEqual(documentedImports('| `a/` | x | everything |\n| `b/` (leaf) | y | a (only types: z), c |\n| `c/` | z | nothing |', ['a', 'b', 'c']), {
    a: ['b', 'c'],
    b: ['a', 'c'],
    c: [],
  });
  const names = new Set(['training', 'segments', 'schema']);
  assert.deepEqual(stepLiterals('x.ts', "if (s.id === 'training') f(`segments:${n}`, `schema-${k}`, 'segments-file', 'trainings');", names), [
    "x.ts:1: 'training'",
    "x.ts:1: 'segments:'",
    "x.ts:1: 'schema-'",
  ]);
  assert.ok(!(ALLOWED['aws'] ?? []).includes('resources'), 'aws sits below resources');
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');
  assert.deepEqual(longFunctions('a.ts', `export function ok() {\n${body(98)}\n}`), []);
  assert.deepEqual(longFunctions('a.ts', `export function tooLong() {\n${body(99)}\n}`), ['a.ts:1: tooLong has 101 lines']);
  assert.deepEqual(longFunctions('a.ts', `class C {\n  m() {\n${body(99)}\n  }\n}\nconst f = async () => {\n${body(99)}\n};`), [
    'a.ts:2: m has 101 lines',
    'a.ts:104: f has 101 lines',
  ]);
  assert.ok(PORT_TABLE.test('aws/personalize-port.ts') && !PORT_TABLE.test('aws/ports.ts') && !PORT_TABLE.test('engine/x-port.ts'));
});

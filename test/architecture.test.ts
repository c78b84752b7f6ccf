import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { packageRoot } from '../src/util/paths.js';

/**
 * The house rules of docs/architecture.md, checked on the source tree (the .ts files, tests excluded):
 * which folder may import which, no folder cycles, the AWS SDK only in src/aws, `process` only in src/cli.
 */
const SRC = join(packageRoot, 'src');

/** Who may import whom. cli is the composition root; the leaves (data, eval, model, emulator) sit beside. */
export const ALLOWED: Record<string, string[]> = {
  cli: ['ui', 'engine', 'plan', 'resources', 'aws', 'cost', 'spec', 'state', 'util', 'data', 'eval', 'emulator'],
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
  const patterns = [/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g];
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
  assert.deepEqual(wrong.map((e) => `${e.file} -> ${e.target}`), []);
  const folders = readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory());
  assert.deepEqual(folders.filter((d) => !(d in ALLOWED)), [], 'a new folder needs its place in ALLOWED and docs/architecture.md');
});

test('outside src/data and src/cli, only the contracts of src/data are imported', () => {
  const wrong = edges().filter((e) => e.to === 'data' && e.from !== 'data' && e.from !== 'cli' && !DATA_CONTRACTS.includes(e.target));
  assert.deepEqual(wrong.map((e) => `${e.file} -> ${e.target}`), []);
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
  assert.deepEqual(wrong.map((f) => relative(SRC, f)), []);
});

/** argv, env, exit, stdio, cwd and signal handlers: the process boundary. pid (lock identity) is not. */
export const PROCESS_USE = /\bprocess\.(argv|env|exit|exitCode|stdin|stdout|stderr|cwd|chdir|on|once|off|umask)\b/;

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
  assert.deepEqual(importsOf(`import { a } from './a.js';\nexport * from "../b/c.js";\nconst m = await import('../d/e.js');\nimport './side.js';`), ['./a.js', '../b/c.js', '../d/e.js', './side.js']);
  assert.ok(PROCESS_USE.test('const cwd = process.cwd();'));
  assert.ok(PROCESS_USE.test("process.stderr.write('x')"));
  assert.ok(!PROCESS_USE.test('const pid = process.pid;'));
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

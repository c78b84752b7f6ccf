import type { Severity } from './diagnostics.js';
import type { SpecPath } from './yaml-source.js';

/** Small helpers the semantic rules share: they read the raw document, which may not fit the schema. */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function get(root: unknown, path: SpecPath): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (Array.isArray(v) && typeof p === 'number') v = v[p];
    else if (isObj(v) && typeof p === 'string') v = v[p];
    else return undefined;
  }
  return v;
}

export type Report = (severity: Severity, code: string, message: string, path: SpecPath, at?: 'value' | 'key') => void;

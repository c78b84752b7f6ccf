import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { globBase, globToRegExp } from './source-location.js';

/**
 * The files a local glob matches, sorted (the order DuckDB reads them in, so results never depend on the file
 * system's listing order). Synchronous: validate and prepare both call it, on directory trees users point at.
 * Directories are walked only as deep as the pattern can reach (any depth with **).
 */
export function matchLocalFiles(pattern: string): string[] {
  const base = globBase(pattern);
  const re = globToRegExp(pattern);
  const rest = pattern.slice(base.length);
  const maxDepth = rest.includes('**') ? Infinity : rest.split('/').length;
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir === '' ? '.' : dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = dir === '' ? name : join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (depth + 1 < maxDepth) walk(path, depth + 1);
      } else if (re.test(path)) out.push(path);
    }
  };
  walk(base.replace(/\/$/, '') || (pattern.startsWith('/') ? '/' : ''), 0);
  return out.sort();
}

import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type GitInfo = { gitCommit?: string; gitDirty?: boolean };

/**
 * The commit of the repository the spec file lives in (`git rev-parse HEAD` in its directory) and whether the
 * file itself has uncommitted changes. Absent (not an error) outside a git repository or without git installed:
 * a report is still useful without it.
 */
export async function gitInfoFor(specFile: string): Promise<GitInfo> {
  const cwd = dirname(specFile);
  try {
    const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd, timeout: 10_000 });
    const commit = stdout.trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return {};
    const status = await run('git', ['status', '--porcelain', '--', basename(specFile)], { cwd, timeout: 10_000 });
    return { gitCommit: commit, gitDirty: status.stdout.trim() !== '' };
  } catch {
    return {};
  }
}

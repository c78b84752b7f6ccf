import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';

/**
 * A test that needs an installed tool (chromium, python3 with boto3, the AWS CLI): without it the test is skipped on
 * a developer's machine, and fails in CI (CI=true, as .ci/run and CI services set it), which installs every tool:
 * a green CI run has run it.
 */
export function requireTool(t: TestContext, present: boolean, why: string): boolean {
  if (present) return true;
  if (process.env['CI'] === 'true' || process.env['CI'] === '1') assert.fail(`${why}; CI must run this test`);
  t.skip(why);
  return false;
}

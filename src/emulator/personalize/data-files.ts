import { join } from 'node:path';
import type { Emu } from '../context.js';

/** Where a solution version's trained model lives: <dataDir>/models/<account>/<region>/<solution>/<version id>. */
export function modelDirOf(emu: Emu, solutionVersionArn: string): string {
  // arn:PARTITION:personalize:REGION:ACCOUNT:solution/NAME/HEX — names and hex are pattern-checked, so safe path parts.
  const m = /^arn:[a-z\d-]+:personalize:([a-z0-9-]+):(\d{12}):solution\/([a-zA-Z0-9][a-zA-Z0-9\-_]{0,62})\/([0-9a-f]{8})$/.exec(solutionVersionArn);
  if (!m) throw new Error(`not a solution version ARN: ${solutionVersionArn}`);
  return join(emu.opts.dataDir, 'models', m[2]!, m[1]!, m[3]!, m[4]!);
}

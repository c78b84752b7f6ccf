import { checkSpecFile } from '../../spec/load.js';
import { inputError, ExitCode } from '../../util/errors.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { join } from 'node:path';
import { isS3 } from '../../spec/source-location.js';
import type { Spec } from '../../spec/types.js';
import { segflowDir } from '../../util/paths.js';

/**
 * validate --data: the first file of each s3:// source, read through the target's S3 (the emulator's on local).
 * The SDK and the emulator are loaded only here: a plain validate starts in a fraction of the time.
 */
async function s3Heads(ctx: CommandContext, spec: Spec): Promise<Map<string, string>> {
  const s3 = [
    spec.data.interactions,
    spec.data.items,
    spec.data.users,
    ...spec.segmentations.map((s) => (s.queries.items?.kind === 'source' ? s.queries.items.source : undefined)),
  ];
  if (!s3.some((src) => src?.source.some(isS3))) return new Map();
  const [{ firstS3Files }, { connectTarget }, { objectStoreOf }, { engineDeps }] = await Promise.all([
    import('../../data/source-heads.js'),
    import('../../engine/session.js'),
    import('../../resources/object-store.js'),
    import('../engine-deps.js'),
  ]);
  const connection = await connectTarget(spec.target, ctx.cwd, engineDeps(), { onInfo: (m) => ctx.stderr.write(`${m}\n`) });
  try {
    return await firstS3Files(spec, objectStoreOf(connection.aws.s3, connection.aws.label), join(segflowDir(ctx.cwd), 'cache'));
  } finally {
    await connection.close();
  }
}

export const command: Command = {
  name: 'validate',
  summary: 'check pipeline files: schema and semantic rules, every problem with line and column; contacts nothing',
  usage: [
    'Usage: segflow validate FILE... [--json] [--data] [--target local|aws]',
    '',
    'Prints each problem as FILE:LINE:COL: error CODE: message, with the source line and a caret.',
    'A data source that does not exist yet is a warning here (an error in plan, prepare and apply).',
    'The columns the file names are checked against the header of each local CSV or JSON-lines source.',
    "  --data            also read the first file of each s3:// source (with the target's credentials; on the",
    "                    local target, the emulator's S3) and check its columns; it stays in the object cache",
    'Exit 0 when every file is valid, 2 otherwise.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('validate', ctx.argv, { json: { type: 'boolean' }, data: { type: 'boolean' } });
    if (positionals.length === 0) throw inputError('CLI_USAGE', 'validate: name at least one pipeline file');
    const target = parseTargetOverride(values.target);
    let exit: number = ExitCode.ok;
    const json: unknown[] = [];
    for (const file of positionals) {
      let result = await checkSpecFile(file, { mode: 'validate', cwd: ctx.cwd, ...(target && { target }) });
      const sourceFiles = values.data && result.spec ? await s3Heads(ctx, result.spec) : undefined;
      if (sourceFiles?.size) result = await checkSpecFile(file, { mode: 'validate', cwd: ctx.cwd, ...(target && { target }), sourceFiles });
      const valid = result.spec !== undefined;
      if (!valid) exit = ExitCode.invalidInput;
      if (values.json) {
        json.push({ file: result.displayFile, valid, diagnostics: result.diagnostics });
        continue;
      }
      for (const text of result.formatted) ctx.stdout.write(text + '\n');
      if (result.spec) {
        const s = result.spec;
        const what =
          s.segmentations.length === 1
            ? `recipe ${s.segmentations[0]!.recipe}`
            : `segmentations ${s.segmentations.map((g) => `${g.name} (${g.recipe})`).join(', ')}`;
        ctx.stdout.write(`${result.displayFile}: valid (pipeline ${s.name}, ${what}, ${s.split ? 'experiment' : 'production run'}, target ${s.target.kind})\n`);
      } else {
        const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
        ctx.stdout.write(`${result.displayFile}: ${errors} error${errors === 1 ? '' : 's'}\n`);
      }
    }
    if (values.json) ctx.stdout.write(JSON.stringify(json.length === 1 ? json[0] : json, null, 2) + '\n');
    return exit;
  },
};

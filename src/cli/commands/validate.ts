import { checkSpecFile } from '../../spec/load.js';
import { inputError, ExitCode } from '../../util/errors.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import type { Command } from '../context.js';

export const command: Command = {
  name: 'validate',
  summary: 'check pipeline files: schema and semantic rules, every problem with line and column; contacts nothing',
  usage: [
    'Usage: segflow validate FILE... [--json] [--target local|aws]',
    '',
    'Prints each problem as FILE:LINE:COL: error CODE: message, with the source line and a caret.',
    'A data source that does not exist yet is a warning here (an error in plan, prepare and apply).',
    'Exit 0 when every file is valid, 2 otherwise.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('validate', ctx.argv, { json: { type: 'boolean' } });
    if (positionals.length === 0) throw inputError('CLI_USAGE', 'validate: name at least one pipeline file');
    const target = parseTargetOverride(values.target);
    let exit: number = ExitCode.ok;
    const json: unknown[] = [];
    for (const file of positionals) {
      const result = await checkSpecFile(file, { mode: 'validate', cwd: ctx.cwd, ...(target && { target }) });
      const valid = result.spec !== undefined;
      if (!valid) exit = ExitCode.invalidInput;
      if (values.json) {
        json.push({ file: result.displayFile, valid, diagnostics: result.diagnostics });
        continue;
      }
      for (const text of result.formatted) ctx.stdout.write(text + '\n');
      if (result.spec) {
        const s = result.spec;
        const what = s.segmentations.length === 1 ? `recipe ${s.segmentations[0]!.recipe}` : `segmentations ${s.segmentations.map((g) => `${g.name} (${g.recipe})`).join(', ')}`;
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

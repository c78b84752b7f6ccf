import type { Command } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode, inputError } from '../../util/errors.js';
import { unlockState } from '../../engine/state-admin.js';
import { engineDeps } from '../engine-deps.js';
import { loadSpecForState } from './engine-io.js';

export const command: Command = {
  name: 'unlock',
  summary: "release the pipeline's lock by hand after a crash (names the lock to remove)",
  usage: [
    'Usage: segflow unlock FILE LOCK_ID [--target local|aws]',
    '',
    "Removes the lock of the pipeline's state, only if it is still LOCK_ID (the id a refused command printed, or",
    '`segflow state history` shows): a lock someone took meanwhile is never removed by mistake. Use it after a',
    'runner holding the lock was killed, when you cannot wait for its lease to run out. Make sure that run is',
    "really gone: removing a live run's lock stops it (STATE_LOCK_LOST) at its next renewal.",
    'Exit 0 when removed; 3 when no lock is held or it is another one (STATE_UNLOCK_MISMATCH).',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('unlock', ctx.argv, {});
    const [file, lockId] = positionals;
    if (!file || !lockId || positionals.length > 2)
      throw inputError('CLI_USAGE', 'unlock: name the pipeline file and the lock id', ['usage: segflow unlock FILE LOCK_ID']);
    const spec = await loadSpecForState(ctx, file, parseTargetOverride(values.target), 'unlock');
    const { holder, location } = await unlockState({ spec, cwd: ctx.cwd, deps: engineDeps() }, lockId);
    ctx.stdout.write(
      `Released lock ${holder.id} (${location}): ${holder.command} by ${holder.who ? `${holder.who} on ` : ''}${holder.host}, pid ${holder.pid}${holder.runId ? `, run ${holder.runId}` : ''}, since ${holder.since}.\n`,
    );
    return ExitCode.ok;
  },
};

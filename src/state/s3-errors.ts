import { isAwsError } from '../aws/errors.js';
import { SegflowError } from '../util/errors.js';

/** A failed S3 call on the state's objects, as the error the user sees (the conflicts are handled before). */
export function stateAccessError(what: string, e: unknown): unknown {
  if (!isAwsError(e)) return e;
  return new SegflowError('STATE_ACCESS', `${what}: ${e.message}`, [
    e.kind === 'access-denied'
      ? 'the credentials need the state statements of `segflow iam-policy FILE` (docs/team.md)'
      : 'run the command again; the state is only ever replaced by conditional writes',
  ]);
}

/** A conditional write or delete that lost: 412 PreconditionFailed, 409 ConditionalRequestConflict, or the key gone (404). */
export function lostRace(e: unknown): boolean {
  return isAwsError(e, 'precondition-failed') || isAwsError(e, 'conflict') || isAwsError(e, 'not-found');
}

import { get, isObj, type Obj, type Report } from './rule-helpers.js';
import { bucketNameProblem } from './s3-bucket-name.js';

/**
 * spec.state: an s3 backend names its bucket and key (and nothing else does); it needs an S3 that outlives the
 * command, so the in-process emulator of a local target without endpoint cannot hold it.
 */
export function checkState(spec: Obj, targetOverride: 'local' | 'aws' | undefined, report: Report): void {
  const state = get(spec, ['state']);
  if (!isObj(state)) return;
  const backend = state['backend'];
  if (backend === 'local') {
    for (const key of ['bucket', 'key', 'region'] as const) {
      if (state[key] !== undefined)
        report('error', 'SPEC_STATE_LOCAL', `state.${key} is for backend s3; the local backend keeps the state in .segflow/state/`, ['state', key], 'key');
    }
    return;
  }
  if (backend !== 's3') return; // the schema names the allowed backends
  const name = get(spec, ['name']);
  for (const key of ['bucket', 'key'] as const) {
    if (state[key] === undefined) {
      report(
        'error',
        'SPEC_STATE_S3',
        `state.backend s3 needs state.${key}, e.g. state: { backend: s3, bucket: my-team-state, key: segflow/${typeof name === 'string' ? name : 'pipeline'}.json }`,
        ['state', 'backend'],
      );
    }
  }
  if (state['kmsKeyArn'] !== undefined && state['backend'] !== 's3')
    report('error', 'SPEC_STATE_LOCAL', 'state.kmsKeyArn is for backend s3', ['state', 'kmsKeyArn'], 'key');
  const bucket = state['bucket'];
  if (typeof bucket === 'string') {
    const problem = bucketNameProblem(bucket);
    if (problem) report('error', 'SPEC_STATE_BUCKET', `state.bucket '${bucket}' ${problem} (S3 bucket naming rules)`, ['state', 'bucket']);
  }
  const kind = targetOverride ?? (get(spec, ['target', 'kind']) === 'aws' ? 'aws' : 'local');
  if (kind === 'local' && get(spec, ['target', 'endpoint']) === undefined) {
    report(
      'error',
      'SPEC_STATE_LOCAL_EMULATOR',
      'state.backend s3 with target local needs target.endpoint: the in-process emulator (and every object in it) ends with the command, so it cannot hold a shared state. Run `segflow emulator` and set target.endpoint, or use backend local',
      ['state', 'backend'],
    );
  }
}

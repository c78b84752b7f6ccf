import { partitionOf } from '../partitions.js';
import { bucketKey } from '../s3/s3-model.js';
import type { EmulatorState, IamRole, S3Bucket } from './state.js';

/**
 * Brings a state.json written by an older emulator up to the current version, so a data directory keeps working.
 * Version 1 knew one account: its buckets were keyed by name (now by partition and name) and had no owner (the
 * account the emulator is started with now owns them), and its roles were keyed by name (now by ARN).
 * Returns undefined for a version it does not know (newer than this emulator).
 */
export function migrateState(state: EmulatorState, currentVersion: number, defaultAccount: string): EmulatorState | undefined {
  if (state.version === currentVersion) return state;
  if (state.version !== 1 || currentVersion !== 2) return undefined;
  const buckets: Record<string, S3Bucket> = {};
  for (const b of Object.values(state.s3.buckets) as Array<Omit<S3Bucket, 'owner'> & { owner?: string }>) {
    buckets[bucketKey(partitionOf(b.region), b.name)] = { ...b, owner: b.owner ?? defaultAccount };
  }
  const roles: Record<string, IamRole> = {};
  for (const r of Object.values(state.iam.roles)) roles[r.arn] = r;
  return { ...state, version: currentVersion, s3: { buckets }, iam: { ...state.iam, roles } };
}

import { get, type Obj, type Report } from './rule-helpers.js';

/**
 * Personalize takes S3 paths of at most 256 characters (botocore personalize 2018-05-22 `S3Location`: max 256,
 * pattern (s3|http|https)://.+), for an import's dataLocation and a batch segment job's jobInput and jobOutput.
 * The paths segflow hands it are `s3://<bucket>/<prefix>` plus a suffix of its own: the longest is a job's output
 * folder, `output/<job name>/`, and Personalize names are at most 63 characters. Checked by validate, so a long
 * prefix fails in a second, not at the segment job after the import and the training were paid for.
 */
export const MAX_S3_LOCATION = 256;
/** The longest suffix segflow appends to `s3://<bucket>/<prefix>` (resources/storage-paths.test.ts holds it to that). */
export const LONGEST_SUFFIX = `output/${'x'.repeat(63)}/`.length;

/**
 * A segmentation not named after the pipeline reads its jobs' queries from
 * `batch/segmentations/<name>/batch-input-<chunk>.jsonl`: longer than a job's output folder for long names (chunk
 * numbers up to 99,999: 50 million item queries).
 */
export function batchSuffix(segmentation: string): number {
  return `batch/segmentations/${segmentation}/batch-input-99999.jsonl`.length;
}

/** The longest path, with the names of the segmentations that have their own folder (none: a file without `segmentations`). */
export function longestS3Path(bucket: string, prefix: string, segmentations: string[] = []): number {
  return `s3://${bucket}/${prefix}`.length + Math.max(LONGEST_SUFFIX, ...segmentations.map(batchSuffix));
}

export function checkStoragePaths(spec: Obj, report: Report): void {
  const bucket = get(spec, ['storage', 'bucket']);
  if (typeof bucket !== 'string') return;
  const name = get(spec, ['name']);
  const rawPrefix = get(spec, ['storage', 'prefix']);
  const prefix = typeof rawPrefix === 'string' ? rawPrefix : typeof name === 'string' ? `${name}/` : '';
  const list = get(spec, ['segmentations']);
  const own = (Array.isArray(list) ? list : []).map((s) => get(s, ['name'])).filter((n): n is string => typeof n === 'string' && n !== name);
  const longest = longestS3Path(bucket, prefix, own);
  if (longest <= MAX_S3_LOCATION) return;
  const over = longest - MAX_S3_LOCATION;
  report(
    'error',
    'SPEC_S3_PATH_TOO_LONG',
    `s3://${bucket}/${prefix.length > 40 ? `${prefix.slice(0, 37)}...` : prefix} makes S3 paths of up to ${longest} characters (with output/<job name>/${own.length ? " or a segmentation's batch/segmentations/<name>/ queries" : ''}), and Personalize takes at most ${MAX_S3_LOCATION} (S3Location): shorten storage.prefix${typeof rawPrefix === 'string' ? '' : ' (default <name>/)'}${own.length ? ', the segmentation names' : ''} or storage.bucket by ${over} characters`,
    typeof rawPrefix === 'string' ? ['storage', 'prefix'] : ['storage', 'bucket'],
  );
}

/**
 * The objects of a shared state, all beside its key (so that one bucket policy or IAM statement on `<key>*`
 * covers them): the state, its lock, the copies of replaced versions when the bucket is not versioned, and each
 * run's report. `segflow iam-policy` derives its state statements from these.
 */
export interface StateKeys {
  state: string;
  lock: string;
  /** Replaced versions, `<serial>-<etag>.json`, when the bucket has no versioning. */
  historyPrefix: string;
  /** `<runId>/report.json` of every apply that evaluated. */
  reportsPrefix: string;
}

export function stateKeys(key: string): StateKeys {
  return { state: key, lock: `${key}.lock`, historyPrefix: `${key}.history/`, reportsPrefix: `${key}.reports/` };
}

export function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

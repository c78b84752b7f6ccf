import { ApiError } from '../api-error.js';
import type { Emu } from '../context.js';
import { parseAvroSchema } from './avro-schema.js';
import { checkImportCsv, checkInteractionMinimums } from './csv-check.js';
import type { PzOperations } from './handler.js';
import { readOps } from './read-ops.js';
import { alreadyExists, beginAttempt, find, IN_FLIGHT, mustFind, newRecord, ofKind, pzArn, requireStatus, resources, setStatus, setTags } from './resources.js';
import { checkJobAccess } from './job-access.js';
import { checkInFlight } from './quotas.js';
import { inputUses, resolveInput } from './s3-access.js';
import { FORCED_FAILURE } from './transitions.js';
import { partitionOf } from '../partitions.js';
import { ARN, NAME, readTags, ROLE_ARN, S3_LOCATION } from './validate.js';

export const importJobOps: PzOperations = {
  ...readOps({
    kind: 'datasetImportJob',
    name: 'DatasetImportJob',
    arnMember: 'datasetImportJobArn',
    key: 'datasetImportJob',
    listKey: 'datasetImportJobs',
    summary: ['datasetImportJobArn', 'jobName', 'status', 'creationDateTime', 'lastUpdatedDateTime', 'failureReason', 'importMode'],
    parent: { member: 'datasetArn', field: 'datasetArn' },
  }),
  async CreateDatasetImportJob(emu, input, info) {
    const jobName = input.requiredStr('jobName', { min: 1, ...NAME });
    const datasetArn = input.requiredStr('datasetArn', ARN);
    const dataSource = input.obj('dataSource', true)!;
    const dataLocation = dataSource.requiredStr('dataLocation', S3_LOCATION);
    const roleArn = input.str('roleArn', ROLE_ARN);
    const importMode = input.str('importMode', { enum: ['FULL', 'INCREMENTAL'] }) ?? 'FULL';
    const publishAttributionMetricsToS3 = input.bool('publishAttributionMetricsToS3');
    const tags = readTags(input);
    const dataset = mustFind(emu, info, datasetArn, 'dataset');
    requireStatus(dataset, datasetArn, 'ACTIVE', 'dataset');
    const arn = pzArn(info, 'datasetImportJob', jobName);
    if (resources(emu)[arn]) throw alreadyExists(arn);
    checkInFlight(emu, 'importJobsInFlight', ofKind(emu, info, 'datasetImportJob', (j) => IN_FLIGHT.has(j.status ?? '')).length);
    // Personalize checks at once that it can read the data (a refusal is this call's InvalidInputException).
    const denied = checkJobAccess(emu, { jobArn: arn, roleArn, region: info.region, uses: inputUses(emu, info.partition, dataLocation) });
    if (denied) throw new ApiError('InvalidInputException', denied);
    resources(emu)[arn] = newRecord(emu, info, 'datasetImportJob', {
      jobName,
      datasetImportJobArn: arn,
      datasetArn,
      dataSource: { dataLocation },
      roleArn,
      status: 'CREATE PENDING',
      importMode,
      publishAttributionMetricsToS3,
    });
    setTags(emu, arn, tags);
    await emu.store.commit();
    runImportJob(emu, arn);
    return { datasetImportJobArn: arn };
  },
};

/** PENDING -> IN_PROGRESS -> read and check the CSV -> ACTIVE | CREATE FAILED. Re-run from the start after a restart. */
export function runImportJob(emu: Emu, arn: string): void {
  emu.lifecycle.after(1, async () => {
    const job = find(emu, arn, 'datasetImportJob');
    if (!job || !IN_FLIGHT.has(job.status ?? '')) return;
    if (!beginAttempt(job)) return void (await emu.store.commit());
    setStatus(job, 'CREATE IN_PROGRESS');
    await emu.store.commit();
    let outcome: Awaited<ReturnType<typeof importData>>;
    try {
      outcome = await importData(emu, job);
    } catch (e) {
      // Never leave a job stuck in flight: an unexpected error fails it with the reason.
      outcome = { ok: false, reason: `Internal error while importing: ${(e as Error).message}` };
    }
    await new Promise((r) => setTimeout(r, emu.lifecycle.stepMs));
    if (emu.lifecycle.closed) return;
    const current = find(emu, arn, 'datasetImportJob');
    if (!current) return;
    const dataset = find(emu, String(job.datasetArn), 'dataset');
    if (outcome.ok && dataset && dataset.status === 'ACTIVE') {
      const old = (dataset._data as string[] | undefined) ?? [];
      dataset._data = job.importMode === 'INCREMENTAL' ? [...old, outcome.blob] : [outcome.blob];
      dataset.lastUpdatedDateTime = Date.now();
      setStatus(current, 'ACTIVE');
      await emu.store.commit();
      if (job.importMode !== 'INCREMENTAL') for (const b of old) await emu.blobs.remove(b);
    } else {
      if (outcome.ok) await emu.blobs.remove(outcome.blob);
      setStatus(current, 'CREATE FAILED', outcome.ok ? `The dataset ${String(job.datasetArn)} no longer exists.` : outcome.reason);
      await emu.store.commit();
    }
  });
}

async function importData(emu: Emu, job: Record<string, unknown>): Promise<{ ok: true; blob: string } | { ok: false; reason: string }> {
  if (emu.faults.forcesFailure('CreateDatasetImportJob')) return { ok: false, reason: FORCED_FAILURE('CreateDatasetImportJob') };
  const dataset = find(emu, String(job.datasetArn), 'dataset');
  if (!dataset) return { ok: false, reason: `The dataset ${String(job.datasetArn)} no longer exists.` };
  const schema = find(emu, String(dataset.schemaArn), 'schema');
  const parsed = schema ? parseAvroSchema(String(schema.schema)) : undefined;
  if (!parsed?.ok) return { ok: false, reason: `The schema of dataset ${String(job.datasetArn)} is not usable.` };
  const location = String((job.dataSource as { dataLocation: string }).dataLocation);
  const region = String(job._region);
  const partition = partitionOf(region);
  // And again when the job runs: policies may have changed since the job was created.
  const denied = checkJobAccess(emu, {
    jobArn: String(job.datasetImportJobArn),
    roleArn: job.roleArn as string | undefined,
    region,
    uses: inputUses(emu, partition, location),
  });
  if (denied) return { ok: false, reason: denied };
  const input = resolveInput(emu, partition, location);
  if (!input.ok) return { ok: false, reason: input.reason };
  const rows: string[][] = [];
  for (const file of input.files) {
    const meta = file.bucket.objects[file.key];
    if (!meta) return { ok: false, reason: `${file.uri} was deleted during the import.` };
    const text = (await emu.blobs.read(meta.blob)).toString('utf8');
    const checked = checkImportCsv(file.uri, text, parsed.fields);
    if (!checked.ok) return { ok: false, reason: checked.reason };
    for (const row of checked.rows) rows.push(row);
  }
  if (dataset.datasetType === 'INTERACTIONS' && job.importMode !== 'INCREMENTAL') {
    const problem = checkInteractionMinimums(rows, parsed.fields);
    if (problem) return { ok: false, reason: problem };
  }
  if (dataset.datasetType === 'INTERACTIONS' && job.importMode === 'INCREMENTAL' && ((dataset._data as string[] | undefined) ?? []).length === 0) {
    return { ok: false, reason: 'An INCREMENTAL import requires a previous FULL import into the dataset.' };
  }
  const header = parsed.fields.map((f) => f.name).join(',');
  const body = [header, ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n';
  return { ok: true, blob: await emu.blobs.write(body) };
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

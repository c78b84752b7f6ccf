import type { Emu } from '../context.js';
import { segmentUsers } from '../../model/index.js';
import type { SegmentQuery } from '../../model/api.js';
import { parseAttributeExpression } from '../../spec/attribute-expression.js';
import { parseS3Uri, stillStored, writeObject } from '../s3/s3-model.js';
import { partitionOf } from '../partitions.js';
import { modelDirOf } from './data-files.js';
import { recipeByArn } from './recipes.js';
import { beginAttempt, find, IN_FLIGHT, resources, setStatus } from './resources.js';
import { checkJobAccess, type JobAccess } from './job-access.js';
import { inputUses, outputFolder, outputKey, outputUses, resolveInput } from './s3-access.js';
import { loadUserFilter, type UserFilter } from './segment-filter.js';
import { FORCED_FAILURE } from './transitions.js';

/** Per input file: Item-Affinity at most 500 queries, Item-Attribute-Affinity at most 10. */
export const MAX_ITEM_QUERIES = 500;
export const MAX_ATTRIBUTE_QUERIES = 10;

/**
 * A batch segment job reads JSON Lines from the emulated S3, asks the trained model for each valid line and writes
 * `<input file name>.out` under the output folder, one line per input line:
 *   {"input": {...}, "output": {"usersList": [...]}, "error": null}
 * A bad line gets its `error` string and an empty list; the other lines are still served. Too many queries in a
 * file fail the job. A restart runs in-flight jobs again from the start (outputs are overwritten whole).
 */
export function runSegmentJob(emu: Emu, arn: string): void {
  emu.lifecycle.after(1, async () => {
    const job = find(emu, arn, 'batchSegmentJob');
    if (!job || !IN_FLIGHT.has(job.status ?? '')) return;
    if (!beginAttempt(job)) return void (await emu.store.commit());
    setStatus(job, 'CREATE IN_PROGRESS');
    await emu.store.commit();
    let failure: string | undefined;
    try {
      failure = await segment(emu, job);
    } catch (e) {
      failure = `Batch segment job failed: ${(e as Error).message}`;
    }
    if (emu.lifecycle.closed) return;
    await new Promise((r) => setTimeout(r, emu.lifecycle.stepMs));
    const current = find(emu, arn, 'batchSegmentJob');
    if (!current) return;
    if (failure) setStatus(current, 'CREATE FAILED', failure);
    else setStatus(current, 'ACTIVE');
    await emu.store.commit();
  });
}

type Line = { input: unknown; query?: SegmentQuery; error?: string };

type JobIo = Record<string, { path: string; kmsKeyArn?: string } | undefined>;

/** Reading every input file and writing its `.out`, with the KMS keys the request names. */
export function segmentJobAccess(emu: Emu, jobArn: string, roleArn: string | undefined, region: string, jobInput: JobIo, jobOutput: JobIo): JobAccess {
  const source = jobInput.s3DataSource!;
  const destination = jobOutput.s3DataDestination!;
  const partition = partitionOf(region);
  const reads = inputUses(emu, partition, source.path);
  return {
    jobArn,
    roleArn,
    region,
    uses: [...reads, ...outputUses(emu, partition, destination.path, reads)],
    kmsKeyArns: [source.kmsKeyArn, destination.kmsKeyArn].filter((k): k is string => typeof k === 'string'),
  };
}

async function segment(emu: Emu, job: Record<string, unknown>): Promise<string | undefined> {
  if (emu.faults.forcesFailure('CreateBatchSegmentJob')) return FORCED_FAILURE('CreateBatchSegmentJob');
  const version = find(emu, String(job.solutionVersionArn), 'solutionVersion');
  if (!version || version.status !== 'ACTIVE') return `The solution version ${String(job.solutionVersionArn)} is no longer available.`;
  const recipe = recipeByArn(String(version.recipeArn));
  if (!recipe) return `Unknown recipe ${String(version.recipeArn)}.`;
  const denied = checkJobAccess(
    emu,
    segmentJobAccess(emu, String(job.batchSegmentJobArn), job.roleArn as string, String(job._region), job.jobInput as JobIo, job.jobOutput as JobIo),
  );
  if (denied) return denied;
  const inPath = String((job.jobInput as { s3DataSource: { path: string } }).s3DataSource.path);
  const outPath = String((job.jobOutput as { s3DataDestination: { path: string } }).s3DataDestination.path);
  const out = parseS3Uri(outPath);
  if (!out) return `The output location ${outPath} is not an s3:// URI.`;
  const partition = partitionOf(String(job._region));
  const folder = outputFolder(emu, partition, outPath);
  if (!folder) return `The output S3 bucket ${out.bucket} does not exist.`;
  const { bucket: outBucket, prefix: outPrefix } = folder;
  const input = resolveInput(emu, partition, inPath);
  if (!input.ok) return input.reason;
  const attributes = recipe.name === 'aws-item-attribute-affinity';
  const limit = attributes ? MAX_ATTRIBUTE_QUERIES : MAX_ITEM_QUERIES;
  const files: Array<{ key: string; lines: Line[] }> = [];
  for (const file of input.files) {
    const meta = file.bucket.objects[file.key];
    if (!meta) return `${file.uri} was deleted during the job.`;
    const text = (await emu.blobs.read(meta.blob)).toString('utf8');
    const raw = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (raw.length > limit) {
      return `The input file ${file.uri} has ${raw.length} queries; ${recipe.name} accepts at most ${limit} per input file.`;
    }
    files.push({ key: file.key, lines: raw.map((l) => parseLine(l, attributes)) });
  }
  let filter: UserFilter | undefined;
  if (typeof job.filterArn === 'string' && job.filterArn) {
    const f = find(emu, job.filterArn, 'filter');
    if (!f || f.status !== 'ACTIVE') return `The filter ${job.filterArn} is not available.`;
    const loaded = await loadUserFilter(
      emu,
      { filterExpression: String(f.filterExpression), datasetGroupArn: String(f.datasetGroupArn), filterArn: job.filterArn },
      recipe.name,
    );
    if ('failure' in loaded) return loaded.failure;
    filter = loaded;
  }
  const modelDir = modelDirOf(emu, String(version.solutionVersionArn));
  const numResults = Number(job.numResults);
  // With a filter the model ranks every user; the filter then keeps the first numResults that pass.
  const asked = filter ? Math.max(numResults, filter.allUsers) : numResults;
  for (const file of files) {
    const predicates = file.lines.map((l) => {
      if (!l.query || !filter) return undefined;
      const p = filter.forLine((l.input as Record<string, unknown>).filterValues);
      if ('error' in p) {
        l.error = p.error;
        l.query = undefined;
        return undefined;
      }
      return p;
    });
    const valid = file.lines.filter((l) => l.query);
    const results =
      valid.length > 0
        ? await segmentUsers(
            modelDir,
            valid.map((l) => l.query!),
            asked,
          )
        : [];
    let next = 0;
    const body = file.lines
      .map((l, i) => {
        if (!l.query) return JSON.stringify({ input: l.input, output: { usersList: [] }, error: l.error });
        const r = results[next++];
        if (!r || 'error' in r) return JSON.stringify({ input: l.input, output: { usersList: [] }, error: r ? r.error : 'No result.' });
        const keep = predicates[i];
        const users = keep ? r.users.filter(keep).slice(0, numResults) : r.users;
        return JSON.stringify({ input: l.input, output: { usersList: users }, error: null });
      })
      .join('\n');
    if (emu.lifecycle.closed) return undefined;
    if (!stillStored(emu, outBucket)) return `The output S3 bucket ${out.bucket} does not exist.`;
    await writeObject(emu, outBucket, outputKey(outPrefix, file.key), Buffer.from(body + '\n'), 'application/json');
  }
  return undefined;
}

function parseLine(line: string, attributes: boolean): Line {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { input: line, error: 'User error: the input line is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { input: value, error: 'User error: each input line must be a JSON object.' };
  }
  const o = value as Record<string, unknown>;
  if (attributes) {
    const expr = o.itemAttributes;
    if (typeof expr !== 'string') return { input: value, error: 'User error: Required fields for the provided recipe are itemAttributes' };
    const parsed = parseAttributeExpression(expr);
    if (!parsed.ok) return { input: value, error: `User error: invalid itemAttributes expression: ${parsed.error}` };
    return { input: value, query: { itemAttributes: expr } };
  }
  const itemId = o.itemId;
  if (typeof itemId !== 'string' || itemId === '') return { input: value, error: 'User error: Required fields for the provided recipe are itemId' };
  if (itemId.length > 256) return { input: value, error: 'User error: itemId is longer than 256 characters' };
  return { input: value, query: { itemId } };
}

export function resumeSegmentJobs(emu: Emu): void {
  for (const [arn, j] of Object.entries(resources(emu))) {
    if (j._kind === 'batchSegmentJob' && IN_FLIGHT.has(j.status ?? '')) runSegmentJob(emu, arn);
  }
}

/**
 * Reads what evaluation needs from the work dir (prepare's artifacts and the engine's run-info.json); all local
 * files, so evaluation never calls AWS. Missing or malformed inputs are SegflowErrors that say which step to run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACT_FILES, type BatchQuery, type GroundTruthFile, type PrepareManifest, type PrepareStats, type RunInfo } from '../data/artifacts.js';
import { SegflowError, type ErrorCode } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { queryCsv } from './csv-query.js';

export interface TrainActivity {
  /** Interactions per train user (USER_ID of interactions.csv). */
  counts: Map<string, number>;
  rows: number;
}

async function readText(path: string, code: ErrorCode, hint: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SegflowError(code, `${path} does not exist: ${hint}`);
    }
    throw e;
  }
}

function parseJson<T>(text: string, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new SegflowError('RUN_EVAL_INPUT', `${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * run-info.json is what says "a run finished and its segments are downloaded". Its absence is the ordinary
 * "nothing to report yet" case: exit 1 (RUN_NO_RUN), since the spec and flags are fine but the run the report is
 * about has not happened.
 */
export async function readRunInfo(workDir: string): Promise<RunInfo> {
  const path = join(workDir, ARTIFACT_FILES.runInfo);
  const text = await readText(path, 'RUN_NO_RUN', "no finished run to report on; run 'segflow apply FILE' first");
  const info = parseJson<RunInfo>(text, path);
  if (info.version !== 1 || typeof info.runId !== 'string' || !Array.isArray(info.segmentFiles) || !(info.numResults >= 1)) {
    throw new SegflowError('RUN_EVAL_INPUT', `${path} is not a run-info.json of version 1 (runId, numResults, segmentFiles)`);
  }
  return info;
}

/** An experiment's ground truth; undefined without one (a production run: no split, nothing held out). */
export async function readGroundTruth(dir: string): Promise<{ truth: GroundTruthFile; sha256: string } | undefined> {
  const path = join(dir, ARTIFACT_FILES.groundTruth);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const truth = parseJson<GroundTruthFile>(text, path);
  if (truth.version !== 1 || !Array.isArray(truth.queries) || !(truth.trainUserCount >= 1)) {
    throw new SegflowError('RUN_EVAL_INPUT', `${path} is not a ground-truth.json of version 1 (queries, trainUserCount)`);
  }
  for (const [i, q] of truth.queries.entries()) {
    const okQuery =
      typeof q?.query === 'object' &&
      q.query !== null &&
      (typeof (q.query as { itemId?: unknown }).itemId === 'string' || typeof (q.query as { itemAttributes?: unknown }).itemAttributes === 'string');
    if (!okQuery || !Array.isArray(q.users) || q.users.some((u) => typeof u !== 'string')) {
      throw new SegflowError('RUN_EVAL_INPUT', `${path}: query #${i + 1} is malformed (expected {query: {itemId|itemAttributes}, users: string[]})`);
    }
  }
  return { truth, sha256: sha256(text) };
}

export async function readStats(workDir: string): Promise<PrepareStats | null> {
  const path = join(workDir, ARTIFACT_FILES.stats);
  try {
    return parseJson<PrepareStats>(await readFile(path, 'utf8'), path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Interactions per train user, counted by DuckDB straight from interactions.csv (train rows only, header
 * USER_ID,ITEM_ID,TIMESTAMP): the popularity baseline's ranking and the train population.
 */
export async function readTrainActivity(workDir: string): Promise<TrainActivity & { sha256: string }> {
  const path = join(workDir, ARTIFACT_FILES.interactions);
  const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') {
      throw new SegflowError('RUN_EVAL_INPUT', `${path} does not exist: run 'segflow apply FILE' (or 'segflow prepare FILE') again`);
    }
    throw e;
  });
  const digest = sha256(bytes);
  try {
    const { rows: counted } = await queryCsv(
      path,
      (from) => `SELECT CAST(USER_ID AS VARCHAR) AS u, CAST(count(*) AS INTEGER) AS n FROM ${from} WHERE USER_ID IS NOT NULL AND USER_ID <> '' GROUP BY 1`,
    );
    const counts = new Map<string, number>();
    let rows = 0;
    for (const [u, n] of counted) {
      counts.set(String(u), Number(n));
      rows += Number(n);
    }
    return { counts, rows, sha256: digest };
  } catch (e) {
    throw new SegflowError('RUN_EVAL_INPUT', `${path}: cannot count train interactions per user: ${(e as Error).message.split('\n')[0]}`);
  }
}

export interface SegmentFileText {
  file: string;
  text: string;
  sha256: string;
}

export async function readSegmentFiles(workDir: string, files: readonly string[]): Promise<SegmentFileText[]> {
  const out: SegmentFileText[] = [];
  for (const file of files) {
    const path = join(workDir, file);
    const text = await readText(path, 'RUN_EVAL_INPUT', "a downloaded segment file is missing; run 'segflow apply FILE' again to download it");
    out.push({ file, text, sha256: sha256(text) });
  }
  return out;
}

/** manifest.json's fingerprint: which prepare the files in the work dir come from (undefined when missing). */
export async function readPreparedFingerprint(workDir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(workDir, ARTIFACT_FILES.manifest), 'utf8')) as PrepareManifest).fingerprint;
  } catch {
    return undefined;
  }
}

/**
 * The queries a segmentation's batch input asked, in job order (its chunk files, listed in stats.json; the one
 * batch-input.jsonl of stats written before segmentations existed). undefined when a file cannot be read.
 */
export async function readAskedQueries(segDir: string, stats: PrepareStats | null, segmentation: string): Promise<BatchQuery[] | undefined> {
  const chunks = stats?.segmentations?.find((s) => s.name === segmentation)?.chunks.map((c) => c.file) ?? [ARTIFACT_FILES.batchInput];
  const out: BatchQuery[] = [];
  try {
    for (const file of chunks) {
      for (const line of (await readFile(join(segDir, file), 'utf8')).split('\n')) {
        if (line.trim() === '') continue;
        const q = JSON.parse(line) as { itemId?: unknown; itemAttributes?: unknown };
        if (typeof q.itemId === 'string') out.push({ itemId: q.itemId });
        else if (typeof q.itemAttributes === 'string') out.push({ itemAttributes: q.itemAttributes });
        else return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return out;
}

import { resolveNumResults } from '../spec/normalize.js';
import type { Segmentation } from '../spec/types.js';
import { inputError } from '../util/errors.js';
import { chunkFile, MAX_QUERIES_PER_JOB, segmentationDir, type GroundTruthFile, type SegmentationStats } from './artifacts.js';
import { applyBadRowPolicy } from './bad-row-policy.js';
import { stageChosenItems, type ChosenSources } from './chosen-items.js';
import { type Db, sqlIdent } from './duckdb.js';
import { attributeQueries, batchInputJsonl, chosenItemQueries, itemQueries, topAttributeQueries } from './queries.js';

/**
 * One segmentation's queries, from the tables `train` and `test` (and `items`): sampled test items, chosen items,
 * or attribute expressions; cut into consecutive job chunks of at most 500 items or 10 attribute expressions; with
 * a split, each query's test users (ground-truth.json). Returns the files to write, relative to the work dir.
 */
export interface SegmentationOutput {
  stats: SegmentationStats;
  /** With a split: the holdout's ground truth. */
  truth?: GroundTruthFile;
  files: Array<{ path: string; text: string }>;
}

export interface SegmentationInput {
  seg: Segmentation;
  trainUsers: number;
  experiment: boolean;
  /** Names of data.items' attributes (attribute queries match on them), absent without data.items. */
  itemAttributes?: Array<{ name: string; type: 'categorical' | 'numeric' }>;
  sources: ChosenSources;
}

export async function prepareSegmentation(db: Db, input: SegmentationInput): Promise<SegmentationOutput> {
  const { seg, experiment } = input;
  const picked = await pickQueries(db, input);
  const k = resolveNumResults(seg.segments.numResults, input.trainUsers);
  const dir = segmentationDir(seg);
  const perJob = seg.recipe === 'aws-item-attribute-affinity' ? MAX_QUERIES_PER_JOB.attributes : MAX_QUERIES_PER_JOB.items;
  const files: SegmentationOutput['files'] = [];
  const chunks: SegmentationStats['chunks'] = [];
  for (let start = 0, n = 1; start < picked.queries.length; start += perJob, n++) {
    const slice = picked.queries.slice(start, start + perJob);
    files.push({ path: `${dir}${chunkFile(n)}`, text: batchInputJsonl(slice.map((q) => q.query)) });
    chunks.push({ file: chunkFile(n), queries: slice.length });
  }
  const truth: GroundTruthFile | undefined = experiment
    ? { version: 1, kind: seg.recipe === 'aws-item-attribute-affinity' ? 'attributes' : 'items', k, trainUserCount: input.trainUsers, queries: picked.queries }
    : undefined;
  if (truth) files.push({ path: `${dir}ground-truth.json`, text: JSON.stringify(truth) + '\n' });
  const alternative =
    seg.recipe === 'aws-item-affinity' && input.itemAttributes ? await attributeAlternative(db, picked.queries, input.itemAttributes) : undefined;
  const stats: SegmentationStats = {
    name: seg.name,
    recipe: seg.recipe,
    dir,
    k,
    queries: picked.queries.length,
    coldQueries: picked.queries.filter((q) => q.cold).length,
    chunks,
    ...(picked.unknown ? { unknown: picked.unknown } : {}),
    ...(picked.duplicates ? { duplicates: picked.duplicates } : {}),
    ...(picked.generated ? { generatedQueries: picked.generated } : {}),
    ...(alternative?.length ? { attributeAlternative: alternative } : {}),
    groundTruth: truth !== undefined,
  };
  return { stats, ...(truth ? { truth } : {}), files };
}

interface Picked {
  queries: GroundTruthFile['queries'];
  unknown?: SegmentationStats['unknown'];
  duplicates?: number;
  generated?: string[];
}

async function pickQueries(db: Db, { seg, itemAttributes, sources }: SegmentationInput): Promise<Picked> {
  const where = seg.primary ? 'queries' : `segmentations.${seg.name}.queries`;
  if (seg.recipe === 'aws-item-attribute-affinity') {
    if (!itemAttributes) throw inputError('DATA_ITEMS_REQUIRED', `${where}: aws-item-attribute-affinity needs data.items`);
    const top = seg.queries.topAttributeValues;
    const expressions = top ? await topAttributeQueries(db, top.attribute, top.top) : (seg.queries.attributes ?? []);
    const queries = await attributeQueries(
      db,
      expressions,
      itemAttributes.map((a) => a.name),
    );
    return { queries, ...(top ? { generated: expressions.map((q) => q.expression) } : {}) };
  }
  const items = seg.queries.items ?? { kind: 'sample' as const, sample: 500, seed: 10 };
  if (items.kind === 'sample') return { queries: await itemQueries(db, items.sample, items.seed, items.excludeCold === true) };
  const chosen = await stageChosenItems(db, 'chosen', items, sources);
  if (chosen.staged && items.kind === 'source') applyBadRowPolicy(`${where}.items`, chosen.label ?? '', items.source, chosen.staged);
  const { queries, unknown } = await chosenItemQueries(db, 'chosen', items.keepUnknown);
  await db.exec('DROP TABLE chosen');
  if (queries.length === 0) {
    const why = unknown.count > 0 ? `: all ${unknown.count} never occur in the training interactions (e.g. ${unknown.examples.slice(0, 3).join(', ')})` : '';
    throw inputError('DATA_NO_QUERIES', `${where}.items selects no item to query${why}`, [
      unknown.count > 0
        ? 'check the ids against the interactions, or set keepUnknown: true to query them anyway (each is billed and comes back empty)'
        : 'check the list, the file or the where condition',
    ]);
  }
  return {
    queries,
    ...(unknown.count ? { unknown: { ...unknown, kept: items.keepUnknown } } : {}),
    ...(chosen.duplicates ? { duplicates: chosen.duplicates } : {}),
  };
}

/**
 * For item queries over data.items: per categorical attribute, the distinct values the queried items have
 * ('a|b' counts both). One attribute query per value would replace one item query per item.
 */
async function attributeAlternative(
  db: Db,
  queries: GroundTruthFile['queries'],
  attributes: Array<{ name: string; type: 'categorical' | 'numeric' }>,
): Promise<Array<{ attribute: string; values: number }>> {
  const categorical = attributes.filter((a) => a.type === 'categorical');
  if (categorical.length === 0 || queries.length === 0) return [];
  await db.exec(`CREATE OR REPLACE TEMP TABLE queried (i VARCHAR)`);
  const ids = queries.map((q) => ('itemId' in q.query ? q.query.itemId : '')).filter((i) => i !== '');
  for (let k = 0; k < ids.length; k += 5000) {
    await db.exec(
      `INSERT INTO queried VALUES ${ids
        .slice(k, k + 5000)
        .map((i) => `('${i.replace(/'/g, "''")}')`)
        .join(', ')}`,
    );
  }
  const out: Array<{ attribute: string; values: number }> = [];
  for (const a of categorical) {
    const col = `it.${sqlIdent(a.name)}`;
    const { n } = await db.one<{ n: number }>(`SELECT count(DISTINCT v) AS n FROM (
      SELECT unnest(string_split(${col}, '|')) AS v FROM queried q JOIN items it ON it."ITEM_ID" = q.i WHERE ${col} IS NOT NULL) WHERE v <> ''`);
    if (n > 0) out.push({ attribute: a.name, values: Number(n) });
  }
  await db.exec('DROP TABLE queried');
  return out;
}

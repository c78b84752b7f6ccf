/**
 * evaluateRun: the holdout evaluation of the latest run in a work dir, from local files only (prepare's artifacts,
 * the engine's run-info.json and the downloaded segments). Deterministic: the same inputs give the same report,
 * apart from `generatedAt`.
 */
import type { Spec } from '../spec/types.js';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED } from './bootstrap.js';
import { gitInfoFor } from './git-info.js';
import { modelChoiceFrom, personalizeMetrics } from './model-choice.js';
import { readGroundTruth, readRunInfo, readSegmentFiles, readStats, readTrainActivity } from './inputs.js';
import type { CostComparison, HoldoutFilter, Report, QueryResult } from './report-types.js';
import type { GroundTruthFile, RunInfo } from '../data/artifacts.js';
import { readEligibility } from './eligible-users.js';
import { REPORT_VERSION } from './report-types.js';
import { scoreHoldout, type ScoringQuery } from './score.js';
import { matchSegments, parseSegmentFile, queryKey } from './segment-output.js';

export const SOLUTION_METRICS_PROTOCOL =
  "Personalize's own evaluation (GetSolutionMetrics): it holds out the latest 20% of each user's interactions during " +
  'training and measures at the top 1% of users. A different protocol from the holdout above: not comparable.';

/** Bad output lines kept in report.json; the count and per-kind totals always cover all of them. */
export const MAX_BAD_LINES_LISTED = 200;

export interface EvaluateOptions {
  resamples?: number;
  seed?: number;
  now?: () => Date;
}

export async function evaluateRun(workDir: string, spec: Spec, options: EvaluateOptions = {}): Promise<Report> {
  const run = await readRunInfo(workDir);
  const [{ truth: groundTruth, sha256: groundTruthSha256 }, stats, activity, segmentTexts, git] = await Promise.all([
    readGroundTruth(workDir),
    readStats(workDir),
    readTrainActivity(workDir),
    readSegmentFiles(workDir, run.segmentFiles),
    gitInfoFor(spec.file),
  ]);
  const warnings: string[] = [];
  const K = run.numResults;
  if (groundTruth.k !== K) {
    warnings.push(`ground-truth.json was prepared for k = ${groundTruth.k} but the run's numResults is ${K}; every metric uses K = ${K}`);
  }
  const N = groundTruth.trainUserCount;
  if (activity.counts.size !== N) {
    warnings.push(`interactions.csv has ${activity.counts.size} users but ground-truth.json counts ${N} train users; coverage and random use ${N}`);
  }
  if (run.specHash !== spec.fileHash) {
    warnings.push(`${spec.file} changed since this run (run spec ${run.specHash.slice(0, 12)}, now ${spec.fileHash.slice(0, 12)}): the report describes the run, not the current file`);
  }

  // With a filter, everything is scored within the users it lets through (docs/report.md).
  const passes = run.filter ? await readEligibility(workDir, run.filter.expression) : undefined;
  const population = passes ? new Map([...activity.counts].filter(([u]) => passes(u))) : activity.counts;
  const truthQueries = passes ? groundTruth.queries.map((q) => ({ ...q, users: q.users.filter(passes) })) : groundTruth.queries;

  const parsed = segmentTexts.map((f) => parseSegmentFile(f.text, f.file));
  const scored = truthQueries.filter((q) => q.users.length > 0);
  const excluded = truthQueries.length - scored.length;
  const by = passes ? ' after the filter' : '';
  if (excluded > 0) warnings.push(`${excluded} ground-truth quer${excluded === 1 ? 'y has' : 'ies have'} no test users${by} (recall undefined) and ${excluded === 1 ? 'is' : 'are'} left out`);
  const { byQuery, bad } = matchSegments(parsed, new Set(groundTruth.queries.map((q) => queryKey(q.query))));

  let short = 0;
  let long = 0;
  const problems: Array<string | undefined> = [];
  const scoringQueries: ScoringQuery[] = scored.map((q) => {
    const line = byQuery.get(queryKey(q.query));
    let ranked: readonly string[] = [];
    if (!line) problems.push('no usable output line for this query');
    else if (line.error !== undefined) problems.push(`the job reported an error (${line.file}:${line.line}): ${line.error}`);
    else {
      problems.push(undefined);
      ranked = line.users;
      if (ranked.length < K) short++;
      if (ranked.length > K) long++;
    }
    return { truth: new Set(q.users), cold: q.cold === true, ranked };
  });
  const withoutOutput = problems.filter((p) => p !== undefined).length;
  if (withoutOutput > 0) warnings.push(`${withoutOutput} quer${withoutOutput === 1 ? 'y has' : 'ies have'} no usable model output and score as an empty segment`);
  if (short > 0) warnings.push(`${short} segment(s) have fewer than K = ${K} users`);
  if (long > 0) warnings.push(`${long} segment(s) have more than K = ${K} users; only the first ${K} are scored`);
  if (bad.length > 0) warnings.push(`${bad.length} problem(s) in the batch segment output (see badOutputLines)`);

  const filter = run.filter && passes ? holdoutFilter(run.filter, N, population.size, groundTruth.queries, truthQueries, scoringQueries, K, passes) : undefined;
  if (filter?.segmentUsersOutside) {
    warnings.push(`${filter.segmentUsersOutside} user(s) in the segments do not pass the filter as evaluated on the prepared files: the job applied it differently`);
  }
  if (filter && filter.eligibleUsers < K) warnings.push(`only ${filter.eligibleUsers} train users pass the filter, fewer than K = ${K}`);

  const { holdout, perQuery } = scoreHoldout({
    queries: scoringQueries,
    k: K,
    trainUsers: passes ? population.size : N,
    activity: population,
    resamples: options.resamples ?? BOOTSTRAP_RESAMPLES,
    seed: options.seed ?? BOOTSTRAP_SEED,
  });

  const queries: QueryResult[] = scored.map((q, i) => {
    const s = perQuery[i]!;
    const problem = problems[i];
    return {
      query: q.query,
      truth: scoringQueries[i]!.truth.size,
      cold: q.cold === true,
      returned: scoringQueries[i]!.ranked.length,
      hits: s.hits,
      recall: s.recall,
      popularityHits: s.popularityHits,
      randomHits: s.randomHits,
      ...(problem !== undefined ? { problem } : {}),
    };
  });
  const byKind: Report['badOutputLines']['byKind'] = {};
  for (const b of bad) byKind[b.kind] = (byKind[b.kind] ?? 0) + 1;

  const now = options.now ?? (() => new Date());
  return {
    version: REPORT_VERSION,
    pipeline: spec.name,
    runId: run.runId,
    generatedAt: now().toISOString(),
    run: {
      finishedAt: run.finishedAt,
      target: run.target,
      region: run.region,
      recipe: spec.recipe,
      ...(run.solutionVersionArn !== undefined ? { solutionVersionArn: run.solutionVersionArn } : {}),
      ...(run.batchSegmentJobArn !== undefined ? { batchSegmentJobArn: run.batchSegmentJobArn } : {}),
    },
    spec: { file: spec.file, hash: run.specHash, currentHash: spec.fileHash, ...git },
    holdout: {
      ...holdout,
      ...(filter ? { protocol: `${holdout.protocol} ${FILTER_PROTOCOL}`, filter } : {}),
      queriesWithoutOutput: withoutOutput,
      excludedQueries: excluded,
    },
    solutionMetrics: run.solutionMetrics ? { protocol: SOLUTION_METRICS_PROTOCOL, values: personalizeMetrics(run.solutionMetrics) } : null,
    modelChoice: modelChoiceFrom(run.solutionMetrics),
    queries,
    badOutputLines: { count: bad.length, byKind, lines: bad.slice(0, MAX_BAD_LINES_LISTED) },
    data: stats,
    cost: {
      estimatedUsd: run.estimatedCostUsd,
      ...(run.cost ? { estimatedLowUsd: run.cost.estimate.lowUsd } : {}),
      ...(run.actualCostUsd !== undefined ? { actualUsd: run.actualCostUsd } : {}),
      ...(run.trainingHours !== undefined ? { trainingHours: run.trainingHours } : {}),
      ...(run.cost ? { lines: compareCost(run.cost) } : {}),
    },
    inputs: {
      workDir,
      segmentFiles: segmentTexts.map((f, i) => ({ file: f.file, sha256: f.sha256, lines: parsed[i]!.lineCount })),
      groundTruthSha256,
      interactionsSha256: activity.sha256,
      prepareFingerprint: run.prepareFingerprint,
    },
    warnings,
  };
}

export const FILTER_PROTOCOL =
  'Segment filter: the segments were filtered, so the baselines draw only from the train users that pass the same filter ' +
  '(coverage and the cutoffs are over them too), and test users the filter excludes are left out of the truth: the marketer ' +
  'asked for those users only.';

/** What the report says about the filter, and whether the job's segments kept to it. */
function holdoutFilter(
  applied: NonNullable<RunInfo['filter']>,
  trainUsers: number,
  eligibleUsers: number,
  before: GroundTruthFile['queries'],
  after: GroundTruthFile['queries'],
  scoring: ScoringQuery[],
  k: number,
  passes: (user: string) => boolean,
): HoldoutFilter {
  const count = (qs: GroundTruthFile['queries']) => qs.reduce((n, q) => n + q.users.length, 0);
  const outside = new Set(scoring.flatMap((q) => q.ranked.slice(0, k).filter((u) => !passes(u))));
  return {
    expression: applied.expression,
    ...(applied.arn ? { arn: applied.arn } : {}),
    trainUsers,
    eligibleUsers,
    truthUsers: count(before),
    truthUsersRemoved: count(before) - count(after),
    segmentUsersOutside: outside.size,
  };
}

/** The estimate's lines beside the actual ones of the same item. */
function compareCost(cost: NonNullable<RunInfo['cost']>): CostComparison[] {
  return cost.estimate.lines.map((e) => {
    const a = cost.actual?.lines.find((l) => l.item === e.item);
    return {
      item: e.item,
      estimateQuantity: e.quantity,
      estimateLowUsd: e.lowUsd,
      estimateUsd: e.usd,
      ...(a ? { actualQuantity: a.quantity, actualUsd: a.usd } : {}),
    };
  });
}

/**
 * The report of an experiment: the holdout evaluation of a run (trained before split.testStart) against the
 * popularity and random baselines, from local files only (prepare's artifacts, run-info.json and the downloaded
 * segments), plus the segments section every report has. Deterministic: the same inputs give the same report,
 * apart from `generatedAt`.
 */
import { judgeCaveats } from './judgeable.js';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED } from './bootstrap.js';
import { gitInfoFor } from './git-info.js';
import { readSegmentFiles, readStats, readTrainActivity } from './inputs.js';
import type { HoldoutFilter, Report, QueryResult, SegmentsSummary } from './report-types.js';
import type { GroundTruthFile, RunInfo } from '../data/artifacts.js';
import { readEligibility } from './eligible-users.js';
import { badLinesSection, changesSection, reportFrame, runWarnings, type RunInputs } from './report-common.js';
import { scoreHoldout, type ScoringQuery } from './score.js';
import { matchSegments, parseSegmentFile, queryKey, type ParsedSegmentFile, type SegmentLine } from './segment-output.js';
import { SegmentStats } from './segment-stats.js';

export interface EvaluateOptions {
  resamples?: number;
  seed?: number;
  now?: () => Date;
}

export async function evaluateExperiment(inputs: RunInputs, truth: { truth: GroundTruthFile; sha256: string }, options: EvaluateOptions = {}): Promise<Report> {
  const { spec, run, workDir, segDir } = inputs;
  const { truth: groundTruth, sha256: groundTruthSha256 } = truth;
  const [stats, activity, segmentTexts, git] = await Promise.all([
    readStats(workDir),
    readTrainActivity(workDir),
    readSegmentFiles(segDir, run.segmentFiles),
    gitInfoFor(spec.file),
  ]);
  // prepare's own warnings (a thin holdout, few test items) come first: they qualify every figure below.
  const warnings: string[] = (stats?.warnings ?? []).map((w) => `prepare: ${w}`);
  const K = run.numResults;
  if (groundTruth.k !== K) {
    warnings.push(`ground-truth.json was prepared for k = ${groundTruth.k} but the run's numResults is ${K}; every metric uses K = ${K}`);
  }
  const N = groundTruth.trainUserCount;
  if (activity.counts.size !== N) {
    warnings.push(`interactions.csv has ${activity.counts.size} users but ground-truth.json counts ${N} train users; coverage and random use ${N}`);
  }
  warnings.push(...runWarnings(spec, run));

  // With a filter, everything is scored within the users it lets through (docs/report.md).
  const passes = run.filter ? await readEligibility(workDir, run.filter.expression) : undefined;
  const population = passes ? new Map([...activity.counts].filter(([u]) => passes(u))) : activity.counts;
  const truthQueries = passes ? groundTruth.queries.map((q) => ({ ...q, users: q.users.filter(passes) })) : groundTruth.queries;

  const parsed = segmentTexts.map((f) => parseSegmentFile(f.text, f.file));
  const scored = truthQueries.filter((q) => q.users.length > 0);
  const excluded = truthQueries.length - scored.length;
  const by = passes ? ' after the filter' : '';
  if (excluded > 0)
    warnings.push(
      `${excluded} ground-truth quer${excluded === 1 ? 'y has' : 'ies have'} no test users${by} (recall undefined) and ${excluded === 1 ? 'is' : 'are'} left out`,
    );
  const { byQuery, bad } = matchSegments(parsed, new Set(groundTruth.queries.map((q) => queryKey(q.query))));

  const { scoringQueries, problems, short, long } = scoringInputs(scored, byQuery, K);
  const withoutOutput = problems.filter((p) => p !== undefined).length;
  if (withoutOutput > 0)
    warnings.push(`${withoutOutput} quer${withoutOutput === 1 ? 'y has' : 'ies have'} no usable model output and score as an empty segment`);
  if (short > 0) warnings.push(`${short} segment(s) have fewer than K = ${K} users`);
  if (long > 0) warnings.push(`${long} segment(s) have more than K = ${K} users; only the first ${K} are scored`);
  if (bad.length > 0) warnings.push(`${bad.length} problem(s) in the batch segment output (see badOutputLines)`);

  const filter = run.filter && passes ? holdoutFilter(run.filter, N, population.size, groundTruth.queries, truthQueries, scoringQueries, K, passes) : undefined;
  if (filter?.segmentUsersOutside) {
    warnings.push(
      `${filter.segmentUsersOutside} user(s) in the segments do not pass the filter as evaluated on the prepared files: the job applied it differently`,
    );
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

  const queries = queryResults(scored, scoringQueries, perQuery, problems);
  const segments = segmentsOf(parsed, groundTruth, K, passes ? population.size : N);
  const changes = await changesSection(segDir, run, warnings);
  const now = options.now ?? (() => new Date());
  const caveats = judgeCaveats(holdout, stats);
  return {
    ...reportFrame(inputs, 'experiment', git, now()),
    holdout: {
      ...holdout,
      ...(filter ? { protocol: `${holdout.protocol} ${FILTER_PROTOCOL}`, filter } : {}),
      queriesWithoutOutput: withoutOutput,
      excludedQueries: excluded,
      ...(caveats.length ? { notJudgeable: caveats } : {}),
    },
    segments,
    changes,
    queries,
    badOutputLines: badLinesSection(bad),
    data: stats,
    inputs: {
      workDir,
      segmentationDir: inputs.segmentationDir,
      segmentFiles: segmentTexts.map((f, j) => ({ file: f.file, sha256: f.sha256, lines: parsed[j]!.lineCount })),
      groundTruthSha256,
      interactionsSha256: activity.sha256,
      prepareFingerprint: run.prepareFingerprint,
    },
    warnings,
  };
}

/** Each scored query's ranked segment (empty without usable output) and why it has none. */
function scoringInputs(scored: GroundTruthFile['queries'], byQuery: Map<string, SegmentLine>, k: number) {
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
      if (ranked.length < k) short++;
      if (ranked.length > k) long++;
    }
    return { truth: new Set(q.users), cold: q.cold === true, ranked };
  });
  return { scoringQueries, problems, short, long };
}

function queryResults(
  scored: GroundTruthFile['queries'],
  scoring: ScoringQuery[],
  perQuery: ReturnType<typeof scoreHoldout>['perQuery'],
  problems: Array<string | undefined>,
): QueryResult[] {
  return scored.map((q, i) => {
    const s = perQuery[i]!;
    const problem = problems[i];
    return {
      query: q.query,
      truth: scoring[i]!.truth.size,
      cold: q.cold === true,
      returned: scoring[i]!.ranked.length,
      hits: s.hits,
      recall: s.recall,
      popularityHits: s.popularityHits,
      randomHits: s.randomHits,
      ...(problem !== undefined ? { problem } : {}),
    };
  });
}

/** The delivered segments (every query's first answer, as in segments.csv), against the ground truth's queries. */
function segmentsOf(parsed: ParsedSegmentFile[], truth: GroundTruthFile, k: number, population: number): SegmentsSummary {
  const stats = new SegmentStats(truth.queries.map((q) => q.query));
  for (const f of parsed) {
    for (const l of f.lines) {
      if (l.error !== undefined) stats.addJobError(l.query, l.error);
      else stats.add(l.query, l.users);
    }
  }
  return stats.summary(k, population);
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
  // Distinct users: a user in the truth of several queries is one test user, not one per (query, user) pair.
  const count = (qs: GroundTruthFile['queries']) => new Set(qs.flatMap((q) => q.users)).size;
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

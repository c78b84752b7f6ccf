/**
 * The report of a production run (no split: trained on every prepared interaction, nothing held out): what the
 * delivered segments look like (sizes, reach, overlap), Personalize's own metrics and the change since the
 * previous run. The output files are streamed: a production run can hold 5,000 segments of 1,836 users.
 */
import type { PrepareStats } from '../data/artifacts.js';
import { gitInfoFor } from './git-info.js';
import type { EvaluateOptions } from './evaluate-experiment.js';
import { readAskedQueries, readPreparedFingerprint, readStats } from './inputs.js';
import { badLinesSection, changesSection, reportFrame, runWarnings, type RunInputs } from './report-common.js';
import type { BadOutputLine, Report, SegmentsSummary } from './report-types.js';
import { queryKey, SegmentMatcher, sortBadLines } from './segment-output.js';
import { SegmentStats } from './segment-stats.js';
import { scanSegmentFiles } from './segment-stream.js';

export async function evaluateProduction(inputs: RunInputs, options: EvaluateOptions = {}): Promise<Report> {
  const { spec, run, workDir, segDir } = inputs;
  const [stats, fingerprint, git] = await Promise.all([readStats(workDir), readPreparedFingerprint(workDir), gitInfoFor(spec.file)]);
  const warnings = runWarnings(spec, run);
  // The batch input and stats.json describe this run only while no later prepare replaced them.
  const current = fingerprint === run.prepareFingerprint;
  if (!current)
    warnings.push(
      'the data were prepared again since this run: the queries it asked and its population are not known, and the report describes the delivered segments only',
    );
  const asked = current ? await readAskedQueries(segDir, stats, inputs.segmentation.name) : undefined;
  if (current && !asked) warnings.push("the run's batch input files cannot be read: the queries it asked are not known");

  const segStats = new SegmentStats(asked);
  const matcher = new SegmentMatcher(asked ? new Set(asked.map(queryKey)) : undefined, 'is not in the batch input (delivered all the same)', true, false);
  const bad: BadOutputLine[] = [];
  const files = await scanSegmentFiles(segDir, run.segmentFiles, ({ segment, bad: problems }) => {
    bad.push(...problems);
    if (!segment) return;
    matcher.add(segment);
    if (segment.error !== undefined) segStats.addJobError(segment.query, segment.error);
    else segStats.add(segment.query, segment.users);
  });
  const allBad = sortBadLines([...bad, ...matcher.bad]);
  const segments = segStats.summary(run.numResults, current ? population(stats) : null);
  warnings.push(...segmentWarnings(segments, allBad.length));
  const changes = await changesSection(segDir, run, warnings);
  const now = options.now ?? (() => new Date());
  return {
    ...reportFrame(inputs, 'production', git, now()),
    holdout: null,
    segments,
    changes,
    queries: [],
    badOutputLines: badLinesSection(allBad),
    data: stats,
    inputs: {
      workDir,
      segmentationDir: inputs.segmentationDir,
      segmentFiles: files,
      groundTruthSha256: null,
      interactionsSha256: null,
      prepareFingerprint: run.prepareFingerprint,
    },
    warnings,
  };
}

/** The users a production model could segment: every user of the prepared interactions. */
function population(stats: PrepareStats | null): number | null {
  return stats && stats.trainUsers > 0 ? stats.trainUsers : null;
}

function segmentWarnings(s: SegmentsSummary, badLines: number): string[] {
  const w: string[] = [];
  const queries = (n: number) => `${n} quer${n === 1 ? 'y' : 'ies'}`;
  if (s.withoutOutput > 0)
    w.push(
      `${queries(s.withoutOutput)} of the batch input ${s.withoutOutput === 1 ? 'has' : 'have'} no usable output line: no segment was delivered for ${s.withoutOutput === 1 ? 'it' : 'them'}`,
    );
  if (s.jobErrors > 0) w.push(`the job reported an error for ${queries(s.jobErrors)}: no segment was delivered for ${s.jobErrors === 1 ? 'it' : 'them'}`);
  if (s.short > 0) w.push(`${s.short} segment(s) have fewer than numResults = ${s.k} users`);
  if (s.size && s.size.max > s.k) w.push(`some segments have more than numResults = ${s.k} users (up to ${s.size.max})`);
  if (badLines > 0) w.push(`${badLines} problem(s) in the batch segment output (see badOutputLines)`);
  return w;
}

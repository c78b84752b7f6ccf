import { inputError } from '../util/errors.js';
import type { Spec } from '../spec/types.js';
import type { PrepareStats } from './artifacts.js';

/** Amazon Personalize's minimums for an interactions dataset (CreateSolutionVersion fails below them). */
export const MIN_INTERACTIONS = 1000;
export const MIN_USERS_WITH_TWO = 25;

/**
 * Fails before anything is uploaded when training or evaluation cannot work; returns warnings for a holdout that
 * is too small to judge a model by, and for chosen items the model has never seen.
 */
export function preflight(stats: Omit<PrepareStats, 'warnings'>, usersWithTwo: number, spec: Pick<Spec, 'split' | 'segmentations'>): string[] {
  const problems: string[] = [];
  if (stats.trainRows < MIN_INTERACTIONS) problems.push(`${stats.trainRows} training interactions; Amazon Personalize needs at least ${MIN_INTERACTIONS}`);
  if (usersWithTwo < MIN_USERS_WITH_TWO)
    problems.push(`${usersWithTwo} training users with 2 or more interactions; Amazon Personalize needs at least ${MIN_USERS_WITH_TWO}`);
  const experiment = spec.split !== undefined;
  if (experiment) problems.push(...holdoutProblems(stats));
  if (problems.length > 0) {
    throw inputError('DATA_PREFLIGHT', 'the prepared data cannot be used', problems);
  }
  const warnings: string[] = [];
  for (const seg of spec.segmentations) {
    const s = stats.segmentations?.find((x) => x.name === seg.name);
    if (!s) continue;
    const named = spec.segmentations.length > 1 ? `${seg.name}: ` : '';
    const items = seg.queries.items;
    if (items?.kind === 'sample' && s.queries < items.sample)
      warnings.push(`${named}only ${s.queries} test items to query (asked for ${items.sample}): a small holdout`);
    const top = seg.queries.topAttributeValues;
    if (top && s.queries < top.top) warnings.push(`${named}only ${s.queries} values of ${top.attribute} to query (asked for ${top.top})`);
    if (s.unknown) {
      const what = `${s.unknown.count} chosen item${s.unknown.count === 1 ? '' : 's'} never occur${s.unknown.count === 1 ? 's' : ''} in the training interactions (e.g. ${s.unknown.examples.slice(0, 3).join(', ')})`;
      warnings.push(
        `${named}${what}: ${s.unknown.kept ? 'kept (keepUnknown): each is billed and comes back without users' : 'left out; keepUnknown: true would query them anyway'}`,
      );
    }
    if (s.queries > 0 && s.coldQueries === s.queries) warnings.push(`${named}every queried item is absent from train (cold): no model can rank users for them`);
    if (experiment && stats.warmTestUsers < s.k)
      warnings.push(`${named}only ${stats.warmTestUsers} warm test users, fewer than K = ${s.k}: recall@K cannot be judged`);
  }
  if (experiment && stats.testRows < 100) warnings.push(`only ${stats.testRows} test interactions: evaluation figures will be noisy`);
  return warnings;
}

function holdoutProblems(stats: Omit<PrepareStats, 'warnings'>): string[] {
  if (stats.testRows === 0 && stats.warmTestUsers === 0 && stats.dropped.some((d) => d.step === 'cold test users' && d.rows > 0))
    return ['no warm users: every test-period user is absent from train (move split.testStart later)'];
  if (stats.testRows === 0) return ['the test set is empty: no interaction at or after split.testStart'];
  if (stats.warmTestUsers === 0) return ['no warm users: no test-period user also appears in train'];
  return [];
}

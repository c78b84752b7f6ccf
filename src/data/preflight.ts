import { inputError } from '../util/errors.js';
import type { PrepareStats } from './artifacts.js';

/** Amazon Personalize's minimums for an interactions dataset (CreateSolutionVersion fails below them). */
export const MIN_INTERACTIONS = 1000;
export const MIN_USERS_WITH_TWO = 25;

/**
 * Fails before anything is uploaded when training or evaluation cannot work; returns warnings for a holdout that
 * is too small to judge a model by.
 */
export function preflight(
  stats: Omit<PrepareStats, 'warnings'>,
  usersWithTwo: number,
  requestedQueries: number,
): string[] {
  const problems: string[] = [];
  if (stats.trainRows < MIN_INTERACTIONS)
    problems.push(`${stats.trainRows} training interactions; Amazon Personalize needs at least ${MIN_INTERACTIONS}`);
  if (usersWithTwo < MIN_USERS_WITH_TWO)
    problems.push(
      `${usersWithTwo} training users with 2 or more interactions; Amazon Personalize needs at least ${MIN_USERS_WITH_TWO}`,
    );
  if (stats.testRows === 0 && stats.warmTestUsers === 0 && stats.dropped.some((d) => d.step === 'cold test users' && d.rows > 0))
    problems.push('no warm users: every test-period user is absent from train (move split.testStart later)');
  else if (stats.testRows === 0) problems.push('the test set is empty: no interaction at or after split.testStart');
  else if (stats.warmTestUsers === 0) problems.push('no warm users: no test-period user also appears in train');
  if (problems.length > 0) {
    throw inputError('DATA_PREFLIGHT', 'the prepared data cannot be used', problems);
  }
  const warnings: string[] = [];
  if (stats.queries < requestedQueries)
    warnings.push(`only ${stats.queries} test items to query (asked for ${requestedQueries}): a small holdout`);
  if (stats.testRows < 100) warnings.push(`only ${stats.testRows} test interactions: evaluation figures will be noisy`);
  if (stats.warmTestUsers < stats.k)
    warnings.push(`only ${stats.warmTestUsers} warm test users, fewer than K = ${stats.k}: recall@K cannot be judged`);
  if (stats.queries > 0 && stats.coldQueries === stats.queries)
    warnings.push('every queried item is absent from train (cold): no model can rank users for them');
  return warnings;
}

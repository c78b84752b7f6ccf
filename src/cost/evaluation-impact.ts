import { resolveNumResults } from '../spec/normalize.js';
import type { NumResults } from '../spec/types.js';

/**
 * What a cheaper option does to an experiment's evaluation: K (numResults resolves on the training users), the
 * cold queries and the test users. A suggestion that leaves K = 1, fewer than 10 queries, or most queries cold
 * saves money by making the evaluation meaningless: the advisor lists it, marked, after those that do not.
 */
export interface EvaluationBasis {
  numResults: NumResults;
  k: number;
  queries: number;
  coldQueries: number;
  warmTestUsers: number;
}

export interface EvaluationImpact {
  /** e.g. "K 38 -> 19; 250 queries (about 4 cold); test users unchanged". */
  text: string;
  /** Why the evaluation would be meaningless after the change; absent when it would not. */
  spoils?: string;
}

const MIN_QUERIES = 10;

export function evaluationImpact(key: string, change: { users: number; queries: number }, e: EvaluationBasis): EvaluationImpact {
  const dataChange = /minInteractionsPerUser|trainStart|lastDays/.test(key);
  const window = /trainStart|lastDays/.test(key);
  const k = dataChange ? resolveNumResults(e.numResults, change.users) : e.k;
  const queries = key.endsWith('queries.items.sample') ? Math.min(e.queries, change.queries) : e.queries;
  const cold = key.endsWith('queries.items.sample') && e.queries > 0 ? Math.round((e.coldQueries * queries) / e.queries) : e.coldQueries;
  const parts = [
    k === e.k ? `K ${k} (unchanged)` : `K ${e.k} -> ${k}`,
    `${queries} queries (${window ? `at least ${cold}` : queries === e.queries ? String(cold) : `about ${cold}`} cold${window ? ': items seen only before the window become cold' : ''})`,
    dataChange ? `at most ${e.warmTestUsers.toLocaleString('en-US')} warm test users (users dropped from train leave the holdout)` : 'test users unchanged',
  ];
  const spoils =
    k <= 1
      ? 'K = 1: each segment is one user'
      : queries < MIN_QUERIES
        ? `only ${queries} queries`
        : cold * 2 > queries
          ? `${cold} of ${queries} queries cold`
          : undefined;
  return { text: parts.join('; '), ...(spoils ? { spoils } : {}) };
}

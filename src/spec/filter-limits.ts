import type { FilterClause } from './filter-expression.js';

/**
 * What Personalize's CreateFilter refuses though the grammar allows it, from "Filter expression structure and
 * elements" and "Guidelines and requirements" (https://docs.aws.amazon.com/personalize/latest/dg/creating-filter-expressions.html,
 * https://docs.aws.amazon.com/personalize/latest/dg/filter-expression-guidelines-requirements.html):
 *  - "Conditions chained together using AND or OR can only affect fields of the dataset used in the first
 *    condition": one expression reads one dataset (chain expressions with `|` to read two);
 *  - "The maximum number of distinct dataset fields for a filter, either in one expression or across multiple
 *    expressions chained together, is 5" (and 10 across all filters of a dataset group, checked by the emulator);
 *  - "You can't use placeholder parameters in a filter expression that uses the NOT_IN operator".
 * Shared by `segflow validate` (located diagnostics) and the emulator's CreateFilter (InvalidInputException), so
 * a filter validate accepts is one Personalize accepts, before any money is spent.
 */
export const MAX_FIELDS_PER_FILTER = 5;
export const MAX_FIELDS_PER_DATASET_GROUP = 10;

export interface FilterProblem {
  code: 'SPEC_FILTER_DATASETS' | 'SPEC_FILTER_FIELDS' | 'SPEC_FILTER_PLACEHOLDER';
  message: string;
  /** 0-based offset and length in the expression. */
  at: number;
  length: number;
}

/** The distinct `Dataset.FIELD`s an expression reads (fields compare case-insensitively, as Personalize's). */
export function distinctFields(clauses: FilterClause[]): string[] {
  return [...new Set(clauses.flatMap((c) => c.anyOf.flat().map((cond) => `${cond.dataset}.${cond.field.toUpperCase()}`)))];
}

export function filterProblems(clauses: FilterClause[]): FilterProblem[] {
  const out: FilterProblem[] = [];
  for (const clause of clauses) {
    const conditions = clause.anyOf.flat();
    const first = conditions[0];
    for (const cond of conditions) {
      if (first && cond.dataset !== first.dataset) {
        out.push({
          code: 'SPEC_FILTER_DATASETS',
          message: `${cond.dataset}.${cond.field} is chained with AND/OR to a condition on ${first.dataset}, and conditions chained together can only affect fields of the dataset used in the first condition: write two expressions joined by |`,
          at: cond.at ?? 0,
          length: cond.dataset.length + 1 + cond.field.length,
        });
      }
      if (cond.op === 'NOT IN' && cond.values.some((v) => v.kind === 'placeholder')) {
        out.push({
          code: 'SPEC_FILTER_PLACEHOLDER',
          message: `NOT IN with a $placeholder is not allowed: use IN and the opposite action (INCLUDE/EXCLUDE)`,
          at: cond.at ?? 0,
          length: cond.dataset.length + 1 + cond.field.length,
        });
      }
    }
  }
  const fields = distinctFields(clauses);
  if (fields.length > MAX_FIELDS_PER_FILTER) {
    const sixth = clauses.flatMap((c) => c.anyOf.flat()).find((c) => fields.indexOf(`${c.dataset}.${c.field.toUpperCase()}`) === MAX_FIELDS_PER_FILTER);
    out.push({
      code: 'SPEC_FILTER_FIELDS',
      message: `the filter reads ${fields.length} distinct dataset fields (${fields.join(', ')}); Personalize allows at most ${MAX_FIELDS_PER_FILTER} per filter`,
      at: sixth?.at ?? 0,
      length: sixth ? sixth.dataset.length + 1 + sixth.field.length : 1,
    });
  }
  return out;
}

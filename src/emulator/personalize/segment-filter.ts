import { readCsvRecords } from '../../model/csv.js';
import type { Emu } from '../context.js';
import type { SegmentationRecipe } from '../../model/api.js';
import { parseFilterExpression } from '../../spec/filter-expression.js';
import { collectUserValues, filterFields, userPredicate, type FilterData } from '../../spec/user-filter.js';
import { resources } from './resources.js';
import { datasetCsv } from './training.js';

/**
 * Applies a filter to user segments, as a batch segment job with filterArn does: UserID clauses over the Users
 * dataset's columns and the Interactions dataset's columns. Who passes is decided by the shared evaluation in
 * src/spec/user-filter.ts (the holdout evaluation uses the same one). Placeholders take each input line's
 * filterValues, e.g. {"MEMBERSHIP": "\"Gold\""}.
 */
export interface UserFilter {
  /** For one input line: a predicate over user ids, or that line's error. */
  forLine(filterValues: unknown): ((user: string) => boolean) | { error: string };
  /** All user ids of the dataset group's interactions (the model is asked for all of them, then filtered). */
  allUsers: number;
}

function countUsers(text: string | undefined): number {
  if (!text) return 0;
  const users = new Set<string>();
  let idx = -1;
  for (const rec of readCsvRecords(text)) {
    if (idx < 0) {
      idx = rec.fields.findIndex((h) => h.trim().toUpperCase() === 'USER_ID');
      if (idx < 0) return 0;
      continue;
    }
    const u = rec.fields[idx];
    if (u !== undefined) users.add(u);
  }
  return users.size;
}

function* fieldsOf(text: string | undefined): Generator<string[]> {
  if (text) for (const rec of readCsvRecords(text)) yield rec.fields;
}

export async function loadUserFilter(
  emu: Emu,
  filter: { filterExpression: string; datasetGroupArn: string; filterArn: string },
  recipe: SegmentationRecipe,
): Promise<UserFilter | { failure: string }> {
  const parsed = parseFilterExpression(filter.filterExpression);
  if (!parsed.ok) return { failure: `The filter ${filter.filterArn} is invalid: ${parsed.error}.` };
  const clauses = parsed.clauses;
  if (clauses.some((c) => c.target !== 'UserID')) return { failure: `The filter ${filter.filterArn} filters ItemID; user segments need a filter on UserID.` };
  const conds = clauses.flatMap((c) => c.anyOf.flat());
  if (conds.some((c) => c.dataset !== 'Users' && c.dataset !== 'Interactions')) {
    return { failure: `The filter ${filter.filterArn} uses a dataset other than Users or Interactions, which cannot filter user segments.` };
  }
  if (recipe === 'aws-item-attribute-affinity' && conds.some((c) => c.dataset === 'Interactions')) {
    return { failure: `Interactions filters can't be used with aws-item-attribute-affinity (filter ${filter.filterArn}).` };
  }
  const datasets = Object.values(resources(emu)).filter((d) => d._kind === 'dataset' && d.datasetGroupArn === filter.datasetGroupArn && d.status === 'ACTIVE');
  const interactionsText = await (async () => {
    const d = datasets.find((x) => x.datasetType === 'INTERACTIONS');
    return d ? datasetCsv(emu, d) : undefined;
  })();
  const usersDataset = datasets.find((x) => x.datasetType === 'USERS');
  const usersText = usersDataset ? await datasetCsv(emu, usersDataset) : undefined;
  if (conds.some((c) => c.dataset === 'Users') && !usersText) return { failure: `The filter ${filter.filterArn} needs a Users dataset with imported data.` };
  const fields = filterFields(clauses);
  const data: FilterData = {
    Users: collectUserValues(fieldsOf(usersText), fields.Users),
    Interactions: collectUserValues(fieldsOf(interactionsText), fields.Interactions),
  };
  return {
    allUsers: countUsers(interactionsText),
    forLine(filterValues) {
      const fv = typeof filterValues === 'object' && filterValues !== null && !Array.isArray(filterValues) ? (filterValues as Record<string, unknown>) : {};
      return userPredicate(clauses, data, fv);
    },
  };
}

/**
 * The fake's batch segment jobs apply filterArn as the emulator's do: the filter's expression is evaluated by the
 * one shared evaluation (src/spec/user-filter.ts) on the data the group's Users and Interactions datasets last
 * imported, and a Users filter without imported users data fails the job with the emulator's reason.
 */
import { readCsvRecords } from '../../../src/model/csv.js';
import { parseFilterExpression } from '../../../src/spec/filter-expression.js';
import { collectUserValues, filterFields, userPredicate, type FilterData } from '../../../src/spec/user-filter.js';
import type { FakeResource } from './personalize-world.js';

function* rows(text: string | undefined): Generator<string[]> {
  if (text) for (const r of readCsvRecords(text)) yield r.fields;
}

/** The predicate a job with this filter keeps users by, or why the job fails. */
export function segmentFilterOf(filter: FakeResource | undefined, datasets: FakeResource[]): ((user: string) => boolean) | { failure: string } {
  if (!filter || filter.status !== 'ACTIVE') return { failure: `The filter ${filter?.arn ?? ''} is not available.` };
  const parsed = parseFilterExpression(String(filter.input['filterExpression']));
  if (!parsed.ok) return { failure: `The filter ${filter.arn} is invalid: ${parsed.error}.` };
  if (parsed.clauses.some((c) => c.target !== 'UserID')) return { failure: `The filter ${filter.arn} filters ItemID; user segments need a filter on UserID.` };
  const inGroup = datasets.filter((d) => d.input['datasetGroupArn'] === filter.input['datasetGroupArn'] && d.status === 'ACTIVE');
  const dataOf = (type: string) => inGroup.find((d) => String(d.input['datasetType']).toUpperCase() === type)?.data;
  const users = dataOf('USERS');
  const needsUsers = parsed.clauses.some((c) => c.anyOf.flat().some((cond) => cond.dataset === 'Users'));
  if (needsUsers && !users) return { failure: `The filter ${filter.arn} needs a Users dataset with imported data.` };
  const fields = filterFields(parsed.clauses);
  const data: FilterData = {
    Users: collectUserValues(rows(users), fields.Users),
    Interactions: collectUserValues(rows(dataOf('INTERACTIONS')), fields.Interactions),
  };
  const keep = userPredicate(parsed.clauses, data);
  return 'error' in keep ? { failure: keep.error } : keep;
}

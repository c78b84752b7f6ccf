import { readCsvRecords } from '../../model/csv.js';
import type { Emu } from '../context.js';
import type { SegmentationRecipe } from '../../model/api.js';
import { parseFilterExpression, type Condition, type FilterClause, type Value } from '../../spec/filter-expression.js';
import { resources } from './resources.js';
import { datasetCsv } from './training.js';

/**
 * Applies a filter to user segments, as a batch segment job with filterArn does: UserID clauses over the Users
 * dataset's columns and the Interactions dataset's columns (a user matches an Interactions condition when any of
 * their interactions does). Placeholders take each input line's filterValues, e.g. {"MEMBERSHIP": "\"Gold\""}.
 */
export interface UserFilter {
  /** For one input line: a predicate over user ids, or that line's error. */
  forLine(filterValues: unknown): ((user: string) => boolean) | { error: string };
  /** All user ids of the dataset group's interactions (the model is asked for all of them, then filtered). */
  allUsers: number;
}

type Columns = Map<string, Map<string, string[]>>; // FIELD (upper case) -> user -> values

function table(text: string | undefined, fields: Set<string>): Columns {
  const out: Columns = new Map();
  if (!text) return out;
  let header: string[] | undefined;
  let userIdx = -1;
  for (const rec of readCsvRecords(text)) {
    if (!header) {
      header = rec.fields.map((h) => h.trim().toUpperCase());
      userIdx = header.indexOf('USER_ID');
      for (const f of fields) out.set(f, new Map());
      continue;
    }
    const user = rec.fields[userIdx];
    if (user === undefined) continue;
    for (const f of fields) {
      const idx = header.indexOf(f);
      const v = idx >= 0 ? rec.fields[idx] : undefined;
      if (v === undefined || v === '') continue;
      const perUser = out.get(f)!;
      const list = perUser.get(user);
      if (list) list.push(v);
      else perUser.set(user, [v]);
    }
  }
  return out;
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

function holds(cond: Condition, values: string[] | undefined, resolved: Array<string | number>): boolean {
  if (!values) return cond.op === 'NOT IN';
  const atoms = values.flatMap((v) => v.split('|'));
  switch (cond.op) {
    case 'IN':
      return atoms.some((a) => resolved.some((r) => String(r) === a));
    case 'NOT IN':
      return atoms.every((a) => !resolved.some((r) => String(r) === a));
    default: {
      const target = Number(resolved[0]);
      return atoms.some((a) => {
        const n = Number(a);
        if (!Number.isFinite(n) || !Number.isFinite(target)) return cond.op === '=' && a === String(resolved[0]);
        return cond.op === '=' ? n === target : cond.op === '<' ? n < target : cond.op === '<=' ? n <= target : cond.op === '>' ? n > target : n >= target;
      });
    }
  }
}

function resolve(values: Value[], filterValues: Record<string, unknown>): Array<string | number> | string {
  const out: Array<string | number> = [];
  for (const v of values) {
    if (v.kind !== 'placeholder') {
      out.push(v.value);
      continue;
    }
    const raw = filterValues[v.name];
    if (typeof raw !== 'string') return `User error: filterValues must give a value for $${v.name}`;
    // A placeholder's value is a list like "\"Gold\",\"Silver\"" or "30".
    const parsed = parseFilterExpression(`INCLUDE UserID WHERE Users.X IN (${raw})`);
    if (!parsed.ok) return `User error: filterValues.${v.name} is not a list of quoted strings or numbers: ${raw}`;
    for (const x of parsed.clauses[0]!.anyOf[0]![0]!.values) if (x.kind !== 'placeholder') out.push(x.value);
  }
  return out;
}

export async function loadUserFilter(
  emu: Emu,
  filter: { filterExpression: string; datasetGroupArn: string; filterArn: string },
  recipe: SegmentationRecipe,
): Promise<UserFilter | { failure: string }> {
  const parsed = parseFilterExpression(filter.filterExpression);
  if (!parsed.ok) return { failure: `The filter ${filter.filterArn} is invalid: ${parsed.error}.` };
  const clauses: FilterClause[] = parsed.clauses;
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
  const fieldsOf = (ds: string) => new Set(conds.filter((c) => c.dataset === ds).map((c) => c.field.toUpperCase()));
  const data: Record<string, Columns> = {
    Users: table(usersText, fieldsOf('Users')),
    Interactions: table(interactionsText, fieldsOf('Interactions')),
  };
  return {
    allUsers: countUsers(interactionsText),
    forLine(filterValues) {
      const fv = typeof filterValues === 'object' && filterValues !== null && !Array.isArray(filterValues) ? (filterValues as Record<string, unknown>) : {};
      const compiled: Array<{ action: string; anyOf: Array<Array<{ cond: Condition; values: Array<string | number> }>> }> = [];
      for (const c of clauses) {
        const anyOf: Array<Array<{ cond: Condition; values: Array<string | number> }>> = [];
        for (const all of c.anyOf) {
          const group: Array<{ cond: Condition; values: Array<string | number> }> = [];
          for (const cond of all) {
            const values = resolve(cond.values, fv);
            if (typeof values === 'string') return { error: values };
            group.push({ cond, values });
          }
          anyOf.push(group);
        }
        compiled.push({ action: c.action, anyOf });
      }
      return (user) =>
        compiled.every((c) => {
          const matches = c.anyOf.some((all) => all.every(({ cond, values }) => holds(cond, data[cond.dataset]!.get(cond.field.toUpperCase())?.get(user), values)));
          return c.action === 'INCLUDE' ? matches : !matches;
        });
    },
  };
}

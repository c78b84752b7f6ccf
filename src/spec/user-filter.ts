import { parseFilterExpression, type Condition, type FilterClause, type Value } from './filter-expression.js';

/**
 * Which users pass a user-segment filter (INCLUDE|EXCLUDE UserID WHERE ...), evaluated on per-user values. One
 * evaluation shared by the emulator (a batch segment job with filterArn) and the holdout evaluation (which users the
 * baselines may draw from and which truth users a marketer asked for), so both always agree on who is eligible.
 *
 * Semantics (Personalize's "User segment filter expressions"): a Users condition tests the user's attribute; an
 * Interactions condition holds when any of the user's interactions matches (IN), or none does (NOT IN). A field
 * with several values ("a|b", or many interactions) is tested value by value. A user with no value for a field
 * fails IN and comparisons and passes NOT IN. Clauses joined by `|` must all let the user through.
 */
export type FilterDataset = 'Users' | 'Interactions';

/** FIELD (upper case) -> user id -> the user's values of that field. */
export type UserValues = Map<string, Map<string, string[]>>;

export type FilterData = Record<FilterDataset, UserValues>;

/** The fields each dataset must supply for these clauses (upper case). */
export function filterFields(clauses: FilterClause[]): Record<FilterDataset, Set<string>> {
  const out: Record<FilterDataset, Set<string>> = { Users: new Set(), Interactions: new Set() };
  for (const cond of clauses.flatMap((c) => c.anyOf.flat())) {
    if (cond.dataset === 'Users' || cond.dataset === 'Interactions') out[cond.dataset].add(cond.field.toUpperCase());
  }
  return out;
}

/**
 * Collects `fields` per user from CSV-like records: the first record is the header (with a USER_ID column, any
 * case), every other one a row. Empty values are absent values.
 */
export function collectUserValues(records: Iterable<readonly string[]>, fields: Set<string>): UserValues {
  const out: UserValues = new Map([...fields].map((f) => [f, new Map<string, string[]>()]));
  let columns: Array<[string, number]> | undefined;
  let userIdx = -1;
  for (const rec of records) {
    if (!columns) {
      const header = rec.map((h) => h.trim().toUpperCase());
      userIdx = header.indexOf('USER_ID');
      columns = [...fields].map((f): [string, number] => [f, header.indexOf(f)]).filter(([, i]) => i >= 0);
      continue;
    }
    const user = rec[userIdx];
    if (user === undefined) continue;
    for (const [field, idx] of columns) {
      const v = rec[idx];
      if (v === undefined || v === '') continue;
      const perUser = out.get(field)!;
      const list = perUser.get(user);
      if (list) list.push(v);
      else perUser.set(user, [v]);
    }
  }
  return out;
}

/**
 * "Amazon Personalize ignores case only when matching event types" (filter-expressions.html): Interactions.EVENT_TYPE
 * compares case-insensitively, every other value exactly.
 */
function sameValue(cond: Condition): (a: string, b: string) => boolean {
  return cond.dataset === 'Interactions' && cond.field.toUpperCase() === 'EVENT_TYPE' ? (a, b) => a.toLowerCase() === b.toLowerCase() : (a, b) => a === b;
}

function holds(cond: Condition, values: string[] | undefined, resolved: Array<string | number>): boolean {
  if (!values) return cond.op === 'NOT IN';
  const atoms = values.flatMap((v) => v.split('|'));
  const same = sameValue(cond);
  switch (cond.op) {
    case 'IN':
      return atoms.some((a) => resolved.some((r) => same(String(r), a)));
    case 'NOT IN':
      return atoms.every((a) => !resolved.some((r) => same(String(r), a)));
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

/** A condition's values with $PLACEHOLDERs filled from filterValues; a string is the error for that input line. */
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

/**
 * The predicate "this user passes the filter" over `data`, with placeholders taken from `filterValues` (a
 * pipeline has none); `{ error }` when a placeholder has no usable value.
 */
export function userPredicate(
  clauses: FilterClause[],
  data: FilterData,
  filterValues: Record<string, unknown> = {},
): ((user: string) => boolean) | { error: string } {
  type Compiled = { cond: Condition & { dataset: FilterDataset }; values: Array<string | number> };
  const compiled: Array<{ action: FilterClause['action']; anyOf: Compiled[][] }> = [];
  for (const c of clauses) {
    const anyOf: Compiled[][] = [];
    for (const all of c.anyOf) {
      const group: Compiled[] = [];
      for (const cond of all) {
        if (cond.dataset !== 'Users' && cond.dataset !== 'Interactions') return { error: `${cond.dataset} data cannot filter user segments` };
        const values = resolve(cond.values, filterValues);
        if (typeof values === 'string') return { error: values };
        group.push({ cond: cond as Compiled['cond'], values });
      }
      anyOf.push(group);
    }
    compiled.push({ action: c.action, anyOf });
  }
  return (user) =>
    compiled.every((c) => {
      const matches = c.anyOf.some((all) => all.every(({ cond, values }) => holds(cond, data[cond.dataset].get(cond.field.toUpperCase())?.get(user), values)));
      return c.action === 'INCLUDE' ? matches : !matches;
    });
}

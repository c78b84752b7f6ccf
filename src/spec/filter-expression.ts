/**
 * Personalize filter expressions, the subset that applies to user segments and items:
 *   (INCLUDE|EXCLUDE) (ItemID|UserID) WHERE <condition> [(AND|OR) <condition> ...] [| <expression> ...]
 *   condition: <Dataset>.<FIELD> (IN | NOT IN) (<value>, ...) | <Dataset>.<FIELD> (= | < | <= | > | >=) <value>
 *   value: "quoted string" | number | $PLACEHOLDER (given per input line in filterValues)
 * AND binds tighter than OR. Datasets: Items, Users, Interactions (and Actions, Action_Interactions, parsed only).
 * Shared by spec validation (segments.filter) and the emulator (CreateFilter, batch segment jobs), so both read an
 * expression the same way.
 */
export type Dataset = 'Items' | 'Users' | 'Interactions' | 'Actions' | 'Action_Interactions';
export type Op = 'IN' | 'NOT IN' | '=' | '<' | '<=' | '>' | '>=';
export type Value = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'placeholder'; name: string };

export interface Condition {
  dataset: Dataset;
  field: string;
  /** 0-based offset of `<Dataset>.<FIELD>` in the expression (for located diagnostics). */
  at?: number;
  op: Op;
  values: Value[];
}

export interface FilterClause {
  action: 'INCLUDE' | 'EXCLUDE';
  target: 'ItemID' | 'UserID';
  /** Disjunction of conjunctions (OR of ANDs). */
  anyOf: Condition[][];
}

/** A failure carries where in the expression it is (0-based offset and length), so a caret can point at it. */
export type ParsedFilter = { ok: true; clauses: FilterClause[] } | { ok: false; error: string; offset: number; length: number };

const DATASETS: Dataset[] = ['Items', 'Users', 'Interactions', 'Actions', 'Action_Interactions'];

type Token = { t: 'word' | 'string' | 'number' | 'sym' | 'placeholder'; v: string; at: number; end: number };
type TokenError = { error: string; at: number };

function tokenize(s: string): Token[] | TokenError {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let v = '';
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        v += s[j];
      }
      if (j >= s.length) return { error: `unterminated string at character ${i + 1}`, at: i };
      out.push({ t: 'string', v, at: i, end: j + 1 });
      i = j + 1;
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
      if (!m) return { error: `bad placeholder at character ${i + 1}`, at: i };
      out.push({ t: 'placeholder', v: m[1]!, at: i, end: i + m[0].length });
      i += m[0].length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(s.slice(i));
      if (!m) return { error: `bad number at character ${i + 1}`, at: i };
      out.push({ t: 'number', v: m[0], at: i, end: i + m[0].length });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?/.exec(s.slice(i))!;
      out.push({ t: 'word', v: m[0], at: i, end: i + m[0].length });
      i += m[0].length;
    } else {
      const m = /^(<=|>=|[<>=(),|])/.exec(s.slice(i));
      if (!m) return { error: `unexpected '${c}' at character ${i + 1}`, at: i };
      out.push({ t: 'sym', v: m[0], at: i, end: i + m[0].length });
      i += m[0].length;
    }
  }
  return out;
}

export function parseFilterExpression(expression: string): ParsedFilter {
  const tokens = tokenize(expression);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens.error, offset: tokens.at, length: 1 };
  let k = 0;
  const peek = () => tokens[k];
  const fail = (what: string): ParsedFilter => {
    const t = peek();
    const found = t ? `, found '${t.v}'` : '';
    return {
      ok: false,
      error: `expected ${what} at ${t ? `character ${t.at + 1}` : 'the end'}${found}`,
      offset: t?.at ?? expression.length,
      length: t ? t.end - t.at : 1,
    };
  };
  const word = (w: string) => peek()?.t === 'word' && peek()!.v.toUpperCase() === w;
  const clauses: FilterClause[] = [];
  for (;;) {
    if (!word('INCLUDE') && !word('EXCLUDE')) return fail('INCLUDE or EXCLUDE');
    const action = tokens[k++]!.v.toUpperCase() as FilterClause['action'];
    const target = peek()?.v;
    if (peek()?.t !== 'word' || (target !== 'ItemID' && target !== 'UserID')) return fail('ItemID or UserID');
    k++;
    if (!word('WHERE')) return fail('WHERE');
    k++;
    const anyOf: Condition[][] = [[]];
    for (;;) {
      const ref = peek();
      if (ref?.t !== 'word' || !ref.v.includes('.')) return fail('<Dataset>.<FIELD>');
      const [dataset, field] = ref.v.split('.') as [string, string];
      const ds = DATASETS.find((d) => d.toLowerCase() === dataset.toLowerCase());
      if (!ds) return { ok: false, error: `unknown dataset ${dataset} (use Items, Users or Interactions)`, offset: ref.at, length: dataset.length };
      k++;
      let op: Op;
      if (word('NOT')) {
        k++;
        if (!word('IN')) return fail('IN after NOT');
        k++;
        op = 'NOT IN';
      } else if (word('IN')) {
        k++;
        op = 'IN';
      } else if (peek()?.t === 'sym' && ['=', '<', '<=', '>', '>='].includes(peek()!.v)) {
        op = tokens[k++]!.v as Op;
      } else return fail('IN, NOT IN or a comparison');
      const values: Value[] = [];
      const value = (): Value | undefined => {
        const t = peek();
        if (!t) return undefined;
        if (t.t === 'string') return (k++, { kind: 'string', value: t.v });
        if (t.t === 'number') return (k++, { kind: 'number', value: Number(t.v) });
        if (t.t === 'placeholder') return (k++, { kind: 'placeholder', name: t.v });
        return undefined;
      };
      if (op === 'IN' || op === 'NOT IN') {
        if (peek()?.v !== '(') return fail("'('");
        k++;
        for (;;) {
          const v = value();
          if (!v) return fail('a value');
          values.push(v);
          if (peek()?.v === ',') {
            k++;
            continue;
          }
          if (peek()?.v === ')') {
            k++;
            break;
          }
          return fail("',' or ')'");
        }
      } else {
        const v = value();
        if (!v) return fail('a value');
        values.push(v);
      }
      anyOf[anyOf.length - 1]!.push({ dataset: ds, field, op, values, at: ref.at });
      if (word('AND')) {
        k++;
        continue;
      }
      if (word('OR')) {
        k++;
        anyOf.push([]);
        continue;
      }
      break;
    }
    clauses.push({ action, target, anyOf });
    if (peek()?.v === '|') {
      k++;
      continue;
    }
    if (k < tokens.length) return fail('AND, OR, | or the end');
    return { ok: true, clauses };
  }
}

/** Placeholders used by a filter (values must come with each input line's filterValues). */
export function placeholders(clauses: FilterClause[]): string[] {
  const names = new Set<string>();
  for (const c of clauses) for (const all of c.anyOf) for (const cond of all) for (const v of cond.values) if (v.kind === 'placeholder') names.add(v.name);
  return [...names];
}

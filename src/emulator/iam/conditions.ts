import type { ConditionClause } from './policy.js';
import { arnMatch, wildcardMatch } from './wildcard.js';

/**
 * Condition operators as the IAM User Guide defines them:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 *  - several values for one key: any may match (OR); for a negated operator none may (NOT OR);
 *  - a key absent from the request: a positive operator is false, a negated one true ("If the policy condition
 *    requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present,
 *    the condition is true"), ...IfExists is true, Null checks presence;
 *  - ForAnyValue: true when at least one request value matches (false for an absent or empty key);
 *    ForAllValues: true when every request value matches (true for an absent or empty key).
 * Condition keys are case-insensitive; values compare as the operator says.
 */
export type ContextValue = string | string[] | undefined;
export type RequestContext = Record<string, ContextValue>;

/** Looks a key up case-insensitively. */
export function contextValue(context: RequestContext, key: string): string[] | undefined {
  const want = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) {
    if (k.toLowerCase() === want && v !== undefined) return Array.isArray(v) ? v : [v];
  }
  return undefined;
}

type Compare = (policyValue: string, requestValue: string) => boolean;

const number = (s: string) => (s.trim() === '' ? NaN : Number(s));
const date = (s: string) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));
function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.some((p) => p > 255) ? undefined : parts.reduce((a, p) => a * 256 + p, 0);
}
function inCidr(cidr: string, ip: string): boolean {
  const [base, bits = '32'] = cidr.split('/');
  const b = ipv4(base ?? '');
  const v = ipv4(ip);
  const n = Number(bits);
  if (b === undefined || v === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(b / size) === Math.floor(v / size);
}

/** Positive base operators; each negated operator is the NOT of one of them. */
const BASE: Record<string, Compare> = {
  StringEquals: (p, v) => p === v,
  StringEqualsIgnoreCase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  StringLike: (p, v) => wildcardMatch(p, v),
  ArnEquals: (p, v) => arnMatch(p, v),
  ArnLike: (p, v) => arnMatch(p, v),
  Bool: (p, v) => p.toLowerCase() === v.toLowerCase(),
  NumericEquals: (p, v) => number(p) === number(v),
  NumericLessThan: (p, v) => number(v) < number(p),
  NumericLessThanEquals: (p, v) => number(v) <= number(p),
  NumericGreaterThan: (p, v) => number(v) > number(p),
  NumericGreaterThanEquals: (p, v) => number(v) >= number(p),
  DateEquals: (p, v) => date(p) === date(v),
  DateLessThan: (p, v) => date(v) < date(p),
  DateLessThanEquals: (p, v) => date(v) <= date(p),
  DateGreaterThan: (p, v) => date(v) > date(p),
  DateGreaterThanEquals: (p, v) => date(v) >= date(p),
  IpAddress: (p, v) => inCidr(p, v),
  BinaryEquals: (p, v) => p === v,
};

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
};

/** Thrown for an operator IAM does not define; the evaluator then reads the statement in the strictest way. */
export class UnknownConditionOperator extends Error {}

interface Operator {
  set?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  negated: boolean;
  compare?: Compare;
  isNull: boolean;
}

function parseOperator(raw: string): Operator {
  let name = raw;
  let set: Operator['set'];
  const m = /^(ForAnyValue|ForAllValues):(.+)$/i.exec(name);
  if (m) {
    set = m[1]!.toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    name = m[2]!;
  }
  const ifExists = name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  if (name === 'Null' && !ifExists) return { set, ifExists, negated: false, isNull: true };
  const negatedOf = NEGATED[name];
  const compare = BASE[negatedOf ?? name];
  if (!compare) throw new UnknownConditionOperator(`unknown condition operator ${raw}`);
  return { set, ifExists, negated: negatedOf !== undefined, compare, isNull: false };
}

/** Whether one request value satisfies the operator against the policy's values (OR over them, NOT for negated). */
function valueMatches(op: Operator, policyValues: string[], value: string): boolean {
  const any = policyValues.some((p) => op.compare!(p, value));
  return op.negated ? !any : any;
}

export function evaluateCondition(clause: ConditionClause, context: RequestContext): boolean {
  const op = parseOperator(clause.operator);
  const values = contextValue(context, clause.key);
  if (op.isNull) {
    const wantAbsent = clause.values.some((v) => v.toLowerCase() === 'true');
    const absent = values === undefined || values.length === 0;
    return wantAbsent === absent;
  }
  if (op.set === 'ForAllValues') {
    if (values === undefined || values.length === 0) return true;
    return values.every((v) => valueMatches(op, clause.values, v));
  }
  if (op.set === 'ForAnyValue') {
    if (values === undefined || values.length === 0) return false;
    return values.some((v) => valueMatches(op, clause.values, v));
  }
  if (values === undefined || values.length === 0) return op.ifExists || op.negated;
  // A single-valued operator on a key with several values: a positive operator needs one matching value,
  // a negated one needs every value to pass (no value equal to a listed one).
  return op.negated ? values.every((v) => valueMatches(op, clause.values, v)) : values.some((v) => valueMatches(op, clause.values, v));
}

/** All clauses must hold (AND across operators and keys). */
export function conditionsHold(clauses: ConditionClause[], context: RequestContext): boolean {
  return clauses.every((c) => evaluateCondition(c, context));
}

/**
 * A policy document in the shape the evaluator reads: every element normalised to lists. The grammar is IAM's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html): Effect, Action | NotAction,
 * Resource | NotResource, Principal | NotPrincipal (resource-based policies), Condition
 * { operator: { key: value | [values] } }. Values that are JSON booleans or numbers compare as their text.
 */
export interface PrincipalSet {
  /** Principal "*" or {"AWS": "*"}: everyone. */
  any: boolean;
  /** "AWS": account ids, account root ARNs, role / user / assumed-role ARNs. */
  aws: string[];
  /** "Service": service principal names, e.g. personalize.amazonaws.com. */
  service: string[];
  /** "Federated" and "CanonicalUser": kept so that such a statement never matches the emulator's principals. */
  other: string[];
}

export interface ConditionClause {
  /** As written, e.g. "ForAnyValue:StringLikeIfExists". */
  operator: string;
  key: string;
  values: string[];
}

export interface Statement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principal?: PrincipalSet;
  notPrincipal?: PrincipalSet;
  conditions: ConditionClause[];
}

export interface Policy {
  statements: Statement[];
}

const list = (v: unknown): string[] | undefined => {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
};

function principalSet(v: unknown): PrincipalSet | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === '*') return { any: true, aws: [], service: [], other: [] };
  if (typeof v !== 'object' || Array.isArray(v)) return { any: false, aws: [], service: [], other: [typeof v === 'string' ? v : JSON.stringify(v)] };
  const o = v as Record<string, unknown>;
  const aws = list(o.AWS) ?? [];
  return {
    any: aws.includes('*'),
    aws: aws.filter((a) => a !== '*'),
    service: list(o.Service) ?? [],
    other: [...(list(o.Federated) ?? []), ...(list(o.CanonicalUser) ?? [])],
  };
}

function conditions(v: unknown): ConditionClause[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [];
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(v as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      // A malformed block must not disappear silently: it becomes a clause that no value satisfies.
      out.push({ operator, key: '', values: [] });
      continue;
    }
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) out.push({ operator, key, values: list(values) ?? [] });
  }
  return out;
}

export function parsePolicy(doc: string | object): Policy {
  let o: unknown = doc;
  if (typeof doc === 'string') {
    try {
      o = JSON.parse(doc);
    } catch {
      return { statements: [] };
    }
  }
  if (typeof o !== 'object' || o === null) return { statements: [] };
  const raw = (o as Record<string, unknown>).Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
  );
  return {
    statements: statements
      .filter((s) => s.Effect === 'Allow' || s.Effect === 'Deny')
      .map((s) => ({
        sid: typeof s.Sid === 'string' ? s.Sid : undefined,
        effect: s.Effect as 'Allow' | 'Deny',
        actions: list(s.Action),
        notActions: list(s.NotAction),
        resources: list(s.Resource),
        notResources: list(s.NotResource),
        principal: principalSet(s.Principal),
        notPrincipal: principalSet(s.NotPrincipal),
        conditions: conditions(s.Condition),
      })),
  };
}

import { declaredAttributes } from './attribute-rules.js';
import { suggestion } from './did-you-mean.js';
import { parseFilterExpression, placeholders, type Condition } from './filter-expression.js';
import { filterProblems } from './filter-limits.js';
import { get, type Obj } from './rule-helpers.js';
import type { Diagnostic } from './diagnostics.js';
import type { SpecPath, YamlSource } from './yaml-source.js';

/**
 * segments.filter: parsed with the same parser the emulator uses, then checked against the spec. Every problem
 * points into the YAML string at the offending token. What user-segment filters may use is Personalize's
 * "User segment filter expressions": INCLUDE/EXCLUDE UserID over Users.<field> and Interactions.EVENT_TYPE
 * (https://docs.aws.amazon.com/personalize/latest/dg/user-segment-filter-examples.html).
 */
export function filterDiagnostics(spec: Obj, src: YamlSource, base: SpecPath = []): Diagnostic[] {
  const PATH = [...base, 'segments', 'filter'];
  const expression = get(spec, PATH);
  if (typeof expression !== 'string' || expression.trim() === '') return [];
  const out: Diagnostic[] = [];
  const at = (code: string, message: string, offset: number, length: number) =>
    out.push(src.diagnosticInString('error', code, `segments.filter: ${message}`, PATH, offset, length));
  const parsed = parseFilterExpression(expression);
  if (!parsed.ok) {
    at('SPEC_FILTER', parsed.error, parsed.offset, parsed.length);
    return out;
  }
  for (const clause of parsed.clauses) {
    if (clause.target !== 'UserID') {
      const i = expression.indexOf(clause.target);
      at(
        'SPEC_FILTER_TARGET',
        `user segment filters select users: write ${clause.action} UserID, not ${clause.action} ${clause.target}`,
        Math.max(0, i),
        clause.target.length,
      );
    }
    for (const cond of clause.anyOf.flat()) checkCondition(spec, base, cond, at);
  }
  // (A $placeholder is refused below whatever its operator: a pipeline gives no values.)
  for (const problem of filterProblems(parsed.clauses).filter((p) => p.code !== 'SPEC_FILTER_PLACEHOLDER'))
    at(problem.code, problem.message, problem.at, problem.length);
  const names = placeholders(parsed.clauses);
  if (names.length > 0) {
    const i = expression.indexOf(`$${names[0]}`);
    at(
      'SPEC_FILTER_PLACEHOLDER',
      `$${names[0]} would need a value with every query, which a segflow pipeline does not give; write the values into the expression`,
      Math.max(0, i),
      names[0]!.length + 1,
    );
  }
  return out;
}

function checkCondition(spec: Obj, base: SpecPath, cond: Condition, at: (code: string, message: string, offset: number, length: number) => void): void {
  const offset = cond.at ?? 0;
  const length = cond.dataset.length + 1 + cond.field.length;
  if (cond.dataset === 'Users' || cond.dataset === 'Items') {
    const dataset = cond.dataset === 'Users' ? 'users' : 'items';
    const declared = declaredAttributes(spec, dataset);
    if (!declared) {
      at(
        'SPEC_FILTER_FIELD',
        `${cond.dataset}.${cond.field} needs ${dataset === 'users' ? 'user' : 'item'} metadata: declare data.${dataset} with an attribute named ${cond.field}`,
        offset,
        length,
      );
      return;
    }
    const names = declared.map((a) => a.name);
    if (!names.some((n) => n.toUpperCase() === cond.field.toUpperCase())) {
      at(
        'SPEC_FILTER_FIELD',
        `${cond.dataset}.${cond.field} is not a declared attribute of data.${dataset} (declared: ${names.join(', ')})${suggestion(cond.field, names)}`,
        offset,
        length,
      );
      return;
    }
    if (cond.dataset === 'Items') {
      at(
        'SPEC_FILTER_DATASET',
        `user segment filters read Users and Interactions data, not Items (Personalize: user segment filter expressions)`,
        offset,
        cond.dataset.length,
      );
    }
    return;
  }
  if (cond.dataset === 'Interactions') {
    const field = cond.field.toUpperCase();
    // Filter expressions: "For all recipe types, you can filter only based on event type", and "You can't use item
    // interactions filters with the Item-Attribute-Affinity recipe" (filter-expressions.html). Refused here, not by
    // CreateFilter or the batch segment job after training was paid for.
    if (field !== 'EVENT_TYPE') {
      at('SPEC_FILTER_FIELD', `Interactions.${cond.field}: Personalize filters interactions on EVENT_TYPE only`, offset, length);
      return;
    }
    if (get(spec, [...base, 'recipe']) === 'aws-item-attribute-affinity') {
      at(
        'SPEC_FILTER_DATASET',
        `Personalize cannot filter aws-item-attribute-affinity segments on Interactions data; filter on Users`,
        offset,
        cond.dataset.length,
      );
      return;
    }
    if (get(spec, ['data', 'interactions', 'columns', field]) === undefined) {
      at('SPEC_FILTER_FIELD', `Interactions.${field} needs data.interactions.columns.${field}: map the source column that holds it`, offset, length);
    }
    return;
  }
  at('SPEC_FILTER_DATASET', `${cond.dataset} data is not part of a segflow pipeline; filter on Users or Interactions`, offset, cond.dataset.length);
}

import { parseAttributeExpression } from './attribute-expression.js';
import { declaredAttributes } from './attribute-rules.js';
import { suggestion } from './did-you-mean.js';
import { get, isObj, type Obj, type Report } from './rule-helpers.js';
import type { SpecPath } from './yaml-source.js';

/**
 * The segmentations of a pipeline: the top-level recipe/queries/segments/training (one segmentation named after the
 * pipeline), or a `segmentations` list, never both. Each segmentation's recipe must fit its queries, and its item
 * queries are exactly one kind. Personalize limits per dataset group: 10 active solutions, 10 filters
 * (https://docs.aws.amazon.com/personalize/latest/dg/limits.html).
 */
export const SEGMENTATION_KEYS = ['recipe', 'queries', 'segments', 'training'] as const;
const MAX_SOLUTIONS = 10;
const MAX_FILTERS = 10;
const ITEM_QUERY_KINDS = ['sample', 'ids', 'source', 'where'] as const;
const SOURCE_ONLY = ['format', 'column', 'onBadRows', 'maxBadRows'] as const;

/** Where each segmentation's keys are in the document: [] (top level) or ['segmentations', i]. */
export function segmentationBases(spec: Obj): SpecPath[] {
  const list = get(spec, ['segmentations']);
  return Array.isArray(list) ? list.map((_, i) => ['segmentations', i]) : [[]];
}

export function checkSegmentations(spec: Obj, report: Report): void {
  const list = get(spec, ['segmentations']);
  if (Array.isArray(list)) {
    for (const key of SEGMENTATION_KEYS) {
      if (spec[key] !== undefined) {
        report('error', 'SPEC_SEGMENTATIONS_MIXED', `top-level ${key} and segmentations cannot be combined: move ${key} into each segmentation`, [key], 'key');
      }
    }
    checkNames(list, report);
    checkPerDatasetGroup(list, report);
  } else {
    for (const key of ['recipe', 'segments']) {
      if (spec[key] === undefined) report('error', 'SPEC_MISSING_KEY', `missing required key '${key}' at the top level (or list segmentations)`, [], 'key');
    }
  }
  for (const base of segmentationBases(spec)) checkRecipeAndQueries(spec, base, report);
}

function checkNames(list: unknown[], report: Report): void {
  const seen = new Map<string, number>();
  list.forEach((s, i) => {
    const name = isObj(s) ? s['name'] : undefined;
    if (typeof name !== 'string') return;
    const first = seen.get(name);
    if (first !== undefined)
      report('error', 'SPEC_SEGMENTATION_DUPLICATE', `segmentations[${i}].name ${name} is already the name of segmentations[${first}]; names must be unique`, [
        'segmentations',
        i,
        'name',
      ]);
    else seen.set(name, i);
  });
}

/** Distinct (recipe, training) pairs are solutions; distinct filter expressions are filters; both in one dataset group. */
function checkPerDatasetGroup(list: unknown[], report: Report): void {
  const solutions = new Set<string>();
  const filters = new Set<string>();
  list.forEach((s, i) => {
    if (!isObj(s)) return;
    solutions.add(JSON.stringify([s['recipe'], s['training'] ?? {}]));
    const filter = get(s, ['segments', 'filter']);
    if (typeof filter === 'string') filters.add(filter);
    if (solutions.size === MAX_SOLUTIONS + 1) {
      report(
        'error',
        'SPEC_SEGMENTATIONS_MAX',
        `segmentations[${i}] needs an 11th solution (distinct recipe and training); Personalize allows ${MAX_SOLUTIONS} per dataset group`,
        ['segmentations', i],
      );
    }
    if (filters.size === MAX_FILTERS + 1 && typeof filter === 'string') {
      report('error', 'SPEC_SEGMENTATIONS_MAX', `segmentations[${i}] needs an 11th filter; Personalize allows ${MAX_FILTERS} per dataset group`, [
        'segmentations',
        i,
        'segments',
        'filter',
      ]);
    }
  });
}

function checkRecipeAndQueries(spec: Obj, base: SpecPath, report: Report): void {
  const at = (...p: Array<string | number>) => [...base, ...p];
  const recipe = get(spec, at('recipe'));
  const itemQueries = get(spec, at('queries', 'items'));
  const attributeQueries = get(spec, at('queries', 'attributes'));
  if (recipe === 'aws-item-affinity') {
    if (attributeQueries !== undefined) {
      report(
        'error',
        'SPEC_ATTRIBUTE_QUERIES_RECIPE',
        'queries.attributes needs recipe aws-item-attribute-affinity; aws-item-affinity queries items (queries.items)',
        at('queries', 'attributes'),
        'key',
      );
    }
    if (itemQueries === undefined) {
      report(
        'error',
        'SPEC_QUERIES_REQUIRED',
        'recipe aws-item-affinity needs queries.items, e.g. queries: { items: { ids: [...] } } or, in an experiment, { sample: 500, seed: 10 }',
        at('recipe'),
      );
    }
  }
  if (recipe === 'aws-item-attribute-affinity') {
    if (itemQueries !== undefined) {
      report(
        'error',
        'SPEC_ITEM_QUERIES_RECIPE',
        'queries.items needs recipe aws-item-affinity; aws-item-attribute-affinity queries attributes (queries.attributes)',
        at('queries', 'items'),
        'key',
      );
    }
    if (attributeQueries === undefined) {
      report(
        'error',
        'SPEC_QUERIES_REQUIRED',
        'recipe aws-item-attribute-affinity needs queries.attributes, e.g. [\'ITEMS.CATEGORY = "Candy & Chocolate"\']',
        at('recipe'),
      );
    }
    if (get(spec, ['data', 'items']) === undefined) {
      report(
        'error',
        'SPEC_ITEMS_REQUIRED',
        'recipe aws-item-attribute-affinity needs item metadata: add data.items with source, columns.ITEM_ID and attributes',
        at('recipe'),
      );
    }
  }
  if (isObj(itemQueries)) checkItemQueries(spec, itemQueries, at('queries', 'items'), report);
  if (isObj(attributeQueries)) checkTopAttribute(spec, attributeQueries, at('queries', 'attributes'), report);
  else if (Array.isArray(attributeQueries)) checkAttributeExpressions(spec, attributeQueries, at('queries', 'attributes'), report);
}

/** queries.items: exactly one kind, with only the keys that kind reads. */
function checkItemQueries(spec: Obj, q: Obj, path: SpecPath, report: Report): void {
  const kinds = ITEM_QUERY_KINDS.filter((k) => q[k] !== undefined);
  if (kinds.length > 1) {
    report(
      'error',
      'SPEC_ITEM_QUERIES_KIND',
      `queries.items takes one of ${ITEM_QUERY_KINDS.join(', ')}, not both ${kinds[0]} and ${kinds[1]}`,
      [...path, kinds[1]!],
      'key',
    );
  }
  const kind = kinds[0];
  if (kind === undefined) {
    report('error', 'SPEC_ITEM_QUERIES_KIND', `queries.items needs one of ${ITEM_QUERY_KINDS.join(', ')}`, path);
    return;
  }
  const only = (key: string, owner: string) => {
    if (q[key] !== undefined && kind !== owner)
      report('error', 'SPEC_ITEM_QUERIES_KIND', `queries.items.${key} only applies with ${owner}`, [...path, key], 'key');
  };
  only('seed', 'sample');
  only('excludeCold', 'sample');
  for (const key of SOURCE_ONLY) only(key, 'source');
  if (q['keepUnknown'] !== undefined && kind === 'sample') {
    report(
      'error',
      'SPEC_ITEM_QUERIES_KIND',
      'queries.items.keepUnknown applies to chosen items (ids, source, where); a sample is drawn from the test period as the seed notebook did',
      [...path, 'keepUnknown'],
      'key',
    );
  }
  if (kind === 'sample' && get(spec, ['split']) === undefined) {
    report(
      'error',
      'SPEC_SAMPLE_NEEDS_SPLIT',
      'queries.items.sample draws items from the test period of an experiment (split); a production run queries the items you choose: ids, source or where',
      [...path, 'sample'],
      'key',
    );
  }
  if (kind === 'where' && get(spec, ['data', 'items']) === undefined) {
    report(
      'error',
      'SPEC_ITEMS_REQUIRED',
      'queries.items.where selects items of data.items: declare data.items (source and columns.ITEM_ID)',
      [...path, 'where'],
      'key',
    );
  }
  const ids = q['ids'];
  if (Array.isArray(ids)) {
    const seen = new Map<string, number>();
    ids.forEach((id, i) => {
      const key = String(id);
      if (seen.has(key))
        report('warning', 'SPEC_ITEM_ID_DUPLICATE', `queries.items.ids[${i}] repeats ${key} (ids[${seen.get(key)}]); it is queried once`, [...path, 'ids', i]);
      else seen.set(key, i);
    });
  }
}

function checkAttributeExpressions(spec: Obj, list: unknown[], path: SpecPath, report: Report): void {
  const declared = declaredAttributes(spec, 'items')?.map((a) => a.name);
  const seen = new Set<string>();
  list.forEach((q, i) => {
    if (typeof q !== 'string') return;
    const at = [...path, i];
    const parsed = parseAttributeExpression(q);
    if (!parsed.ok) {
      report('error', 'SPEC_ATTRIBUTE_QUERY', `queries.attributes[${i}]: ${parsed.error}; the form is ITEMS.<attribute> = "<value>" [AND ...]`, at);
      return;
    }
    if (seen.has(q)) report('warning', 'SPEC_ATTRIBUTE_QUERY_DUPLICATE', `queries.attributes[${i}] repeats an earlier query`, at);
    seen.add(q);
    if (declared === undefined) return;
    for (const c of parsed.query.conditions) {
      if (!declared.some((d) => d.toUpperCase() === c.attribute.toUpperCase())) {
        const names = declared.length ? [...new Set(declared)].join(', ') : 'none';
        report(
          'error',
          'SPEC_ATTRIBUTE_UNKNOWN',
          `queries.attributes[${i}] uses ITEMS.${c.attribute}, which is not a declared item attribute (declared: ${names})${suggestion(c.attribute, declared)}`,
          at,
        );
      }
    }
  });
}

/** queries.attributes: { top, attribute } names a declared, categorical item attribute. */
function checkTopAttribute(spec: Obj, q: Obj, path: SpecPath, report: Report): void {
  const attribute = q['attribute'];
  if (typeof attribute !== 'string') return;
  const declared = declaredAttributes(spec, 'items');
  if (!declared) return; // SPEC_ITEMS_REQUIRED already says data.items is missing
  const found = declared.find((a) => a.name.toUpperCase() === attribute.toUpperCase());
  const at = [...path, 'attribute'];
  if (!found) {
    const names = declared.map((a) => a.name);
    report(
      'error',
      'SPEC_ATTRIBUTE_UNKNOWN',
      `queries.attributes.attribute ${attribute} is not a declared item attribute (declared: ${names.join(', ')})${suggestion(attribute, names)}`,
      at,
    );
  } else if (found.type !== 'categorical') {
    report('error', 'SPEC_ATTRIBUTE_UNKNOWN', `queries.attributes.attribute ${attribute} is numeric; attribute queries compare categorical values`, at);
  }
}

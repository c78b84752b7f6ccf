import { get, isObj, type Obj, type Report } from './rule-helpers.js';

/**
 * Attribute declarations of data.items and data.users, checked against Personalize's schema rules:
 * a metadata field may not use a reserved field name of its dataset, and names are case-insensitive.
 * (The counts, 100 item and 25 user metadata fields, are the schema's maxItems.)
 * Source: https://docs.aws.amazon.com/personalize/latest/dg/custom-datasets-and-schemas.html
 */
export const RESERVED_FIELDS = {
  items: ['ITEM_ID', 'CREATION_TIMESTAMP'],
  users: ['USER_ID'],
} as const;

export interface DeclaredAttribute {
  name: string;
  type: 'categorical' | 'numeric';
  index: number;
}

/** Attributes declared under data.<dataset>.attributes (strings or {name}). Undefined if there is no list. */
export function declaredAttributes(spec: Obj, dataset: 'items' | 'users'): DeclaredAttribute[] | undefined {
  const list = get(spec, ['data', dataset, 'attributes']);
  if (!Array.isArray(list)) return undefined;
  return list
    .map((a, index): DeclaredAttribute | undefined => {
      if (typeof a === 'string') return { name: a, type: 'categorical', index };
      if (isObj(a) && typeof a['name'] === 'string') return { name: a['name'], type: a['type'] === 'numeric' ? 'numeric' : 'categorical', index };
      return undefined;
    })
    .filter((a): a is DeclaredAttribute => a !== undefined && a.name !== '');
}

export function checkAttributes(spec: Obj, report: Report): void {
  for (const dataset of ['items', 'users'] as const) {
    const declared = declaredAttributes(spec, dataset);
    if (!declared) continue;
    const seen = new Set<string>();
    for (const a of declared) {
      const upper = a.name.toUpperCase();
      const path = ['data', dataset, 'attributes', a.index];
      const reserved: readonly string[] = RESERVED_FIELDS[dataset];
      if (reserved.includes(upper)) {
        report(
          'error',
          'SPEC_ATTRIBUTE_RESERVED',
          `data.${dataset}.attributes[${a.index}]: ${a.name} is a reserved field of the ${dataset === 'items' ? 'Items' : 'Users'} dataset (${reserved.join(', ')}), not a metadata field`,
          path,
        );
      }
      if (seen.has(upper))
        report(
          'error',
          'SPEC_ATTRIBUTE_DUPLICATE',
          `data.${dataset}.attributes[${a.index}]: ${a.name} is declared twice (names are case-insensitive in Personalize)`,
          path,
        );
      seen.add(upper);
    }
  }
}

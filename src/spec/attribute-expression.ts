import type { AttributeQuery } from './types.js';

/**
 * Item-attribute-affinity query expressions, as Personalize reads them:
 *   ITEMS.<column> = "<value>" [AND ITEMS.<column> = "<value>" ...]
 * Only '=' exists (no IN, no OR). Inside the quotes a backslash escapes the next character (\" and \\).
 * Used by spec validation, data preparation (ground truth), the emulator and the local model, so all four
 * agree on what an expression means.
 */
export type ParseResult = { ok: true; query: AttributeQuery } | { ok: false; error: string; offset: number };

const COLUMN = /[A-Za-z][A-Za-z0-9_]*/y;

export function parseAttributeExpression(expression: string): ParseResult {
  const s = expression;
  let i = 0;
  const conditions: AttributeQuery['conditions'] = [];
  const fail = (error: string): ParseResult => ({ ok: false, error, offset: i });
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  for (;;) {
    skipSpace();
    if (!s.startsWith('ITEMS.', i)) return fail(`expected ITEMS.<attribute> at character ${i + 1}`);
    i += 'ITEMS.'.length;
    COLUMN.lastIndex = i;
    const m = COLUMN.exec(s);
    if (!m) return fail(`expected an attribute name after ITEMS. at character ${i + 1}`);
    const attribute = m[0];
    i += attribute.length;
    skipSpace();
    if (s[i] !== '=') return fail(`expected '=' after ITEMS.${attribute} (only '=' is supported) at character ${i + 1}`);
    i++;
    skipSpace();
    if (s[i] !== '"') return fail(`expected a double-quoted value after '=' at character ${i + 1}`);
    i++;
    let value = '';
    let closed = false;
    while (i < s.length) {
      const c = s[i]!;
      if (c === '\\') {
        if (i + 1 >= s.length) break;
        value += s[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') {
        closed = true;
        i++;
        break;
      }
      value += c;
      i++;
    }
    if (!closed) return fail('unterminated quoted value');
    if (value.length === 0) return fail(`empty value for ITEMS.${attribute}`);
    conditions.push({ attribute, value });
    skipSpace();
    if (i >= s.length) break;
    const rest = s.slice(i);
    const and = /^AND(\s|$)/i.exec(rest);
    if (!and) return fail(`expected AND or the end of the expression at character ${i + 1}`);
    i += 3;
  }
  return { ok: true, query: { expression, conditions } };
}

/** Quotes a value for an expression: the inverse of the parser's escapes. */
export function quoteAttributeValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function formatAttributeQuery(conditions: AttributeQuery['conditions']): string {
  return conditions.map((c) => `ITEMS.${c.attribute} = ${quoteAttributeValue(c.value)}`).join(' AND ');
}

/**
 * Whether an item matches: every condition must hold; a categorical value 'a|b' holds for "a" and for "b".
 * Attribute names compare case-insensitively, as Personalize's schema fields do.
 */
export function itemMatches(conditions: AttributeQuery['conditions'], attributeValues: (attribute: string) => string | null | undefined): boolean {
  return conditions.every((c) => {
    const raw = attributeValues(c.attribute);
    if (raw === null || raw === undefined || raw === '') return false;
    return raw.split('|').some((v) => v === c.value);
  });
}

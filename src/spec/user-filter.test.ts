import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterExpression } from './filter-expression.js';
import { collectUserValues, filterFields, userPredicate, type FilterData } from './user-filter.js';

const USERS = [
  ['user_id', 'COUNTRY', 'AGE'],
  ['u1', 'United Kingdom', '30'],
  ['u2', 'France', '45'],
  ['u3', 'United Kingdom|France', ''],
];
const INTERACTIONS = [
  ['USER_ID', 'ITEM_ID', 'TIMESTAMP', 'EVENT_TYPE'],
  ['u1', 'i1', '1', 'view'],
  ['u1', 'i2', '2', 'purchase'],
  ['u2', 'i1', '3', 'view'],
  ['u3', 'i3', '4', 'view'],
  ['u4', 'i3', '5', 'view'],
];

function passing(expression: string, filterValues?: Record<string, unknown>): string[] | { error: string } {
  const parsed = parseFilterExpression(expression);
  assert.ok(parsed.ok, expression);
  const fields = filterFields(parsed.clauses);
  const data: FilterData = { Users: collectUserValues(USERS, fields.Users), Interactions: collectUserValues(INTERACTIONS, fields.Interactions) };
  const p = userPredicate(parsed.clauses, data, filterValues);
  if ('error' in p) return p;
  return ['u1', 'u2', 'u3', 'u4', 'nobody'].filter(p);
}

test('Users conditions test the attribute; a multi-valued attribute matches any of its values; no row fails IN', () => {
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.COUNTRY IN ("United Kingdom")'), ['u1', 'u3']);
  assert.deepEqual(passing('EXCLUDE UserID WHERE Users.COUNTRY IN ("United Kingdom")'), ['u2', 'u4', 'nobody']);
  // NOT IN holds when no value is listed, and for a user without the attribute.
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.COUNTRY NOT IN ("France")'), ['u1', 'u4', 'nobody']);
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.AGE >= 40'), ['u2']);
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.AGE < 40 OR Users.COUNTRY IN ("France")'), ['u1', 'u2', 'u3']);
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.AGE < 40 AND Users.COUNTRY IN ("France")'), []);
});

test("Interactions conditions hold when any of the user's interactions matches (the documented EXCLUDE purchase example)", () => {
  assert.deepEqual(passing('EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")'), ['u2', 'u3', 'u4', 'nobody']);
  assert.deepEqual(passing('INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase", "click")'), ['u1']);
  // Clauses joined by | must all let the user through.
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.COUNTRY IN ("United Kingdom") | EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("purchase")'), ['u3']);
});

test("placeholders take each line's filterValues; a missing or malformed one is that line's error", () => {
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.COUNTRY IN ($C)', { C: '"France"' }), ['u2', 'u3']);
  assert.match((passing('INCLUDE UserID WHERE Users.COUNTRY IN ($C)') as { error: string }).error, /must give a value for \$C/);
  assert.match((passing('INCLUDE UserID WHERE Users.COUNTRY IN ($C)', { C: 'France' }) as { error: string }).error, /not a list of quoted strings/);
  assert.match((passing('INCLUDE UserID WHERE Items.X IN ("a")') as { error: string }).error, /Items data cannot filter user segments/);
});

test('collectUserValues reads only the asked fields, header case-insensitively, skipping empty values', () => {
  const values = collectUserValues(USERS, new Set(['AGE', 'MISSING']));
  assert.deepEqual(
    [...values.get('AGE')!],
    [
      ['u1', ['30']],
      ['u2', ['45']],
    ],
  );
  assert.equal(values.get('MISSING')!.size, 0);
});

test('event types match ignoring case, as Personalize does ("ignores case only when matching event types"); other values match exactly', () => {
  assert.deepEqual(passing('INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("PURCHASE")'), ['u1']);
  assert.deepEqual(passing('EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("Purchase")'), ['u2', 'u3', 'u4', 'nobody']);
  assert.deepEqual(passing('INCLUDE UserID WHERE Interactions.EVENT_TYPE NOT IN ("VIEW")'), ['nobody']);
  assert.deepEqual(passing('INCLUDE UserID WHERE Users.COUNTRY IN ("united kingdom")'), []);
});

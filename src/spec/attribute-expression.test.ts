import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAttributeQuery, itemMatches, parseAttributeExpression } from './attribute-expression.js';

test('parses one condition and AND-joined conditions', () => {
  const one = parseAttributeExpression('ITEMS.CATEGORY = "Candy & Chocolate"');
  assert.deepEqual(one.ok && one.query.conditions, [{ attribute: 'CATEGORY', value: 'Candy & Chocolate' }]);
  const two = parseAttributeExpression('ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"');
  assert.deepEqual(two.ok && two.query.conditions, [
    { attribute: 'genres', value: 'Comedy' },
    { attribute: 'genres', value: 'Action' },
  ]);
});

test('backslash escapes quotes and backslashes inside values', () => {
  const r = parseAttributeExpression(String.raw`ITEMS.BRAND = "Acme \"Best\" \\ Co"`);
  assert.deepEqual(r.ok && r.query.conditions, [{ attribute: 'BRAND', value: 'Acme "Best" \\ Co' }]);
});

test('format and parse are inverse', () => {
  const conditions = [
    { attribute: 'A', value: 'x "y" \\ z' },
    { attribute: 'B_2', value: 'plain' },
  ];
  const r = parseAttributeExpression(formatAttributeQuery(conditions));
  assert.deepEqual(r.ok && r.query.conditions, conditions);
});

test('rejects what Personalize does not accept, saying where', () => {
  const cases: Array<[string, RegExp]> = [
    ['CATEGORY = "x"', /expected ITEMS\.<attribute> at character 1/],
    ['ITEMS. = "x"', /expected an attribute name/],
    ['ITEMS.A IN ("x")', /expected '=' after ITEMS\.A/],
    ['ITEMS.A = x', /expected a double-quoted value/],
    ['ITEMS.A = "x', /unterminated/],
    ['ITEMS.A = ""', /empty value/],
    ['ITEMS.A = "x" OR ITEMS.B = "y"', /expected AND or the end .* at character 15/],
    ['ITEMS.A = "x" AND', /expected ITEMS\.<attribute>/],
  ];
  for (const [input, error] of cases) {
    const r = parseAttributeExpression(input);
    assert.equal(r.ok, false, input);
    if (!r.ok) assert.match(r.error, error, input);
  }
});

test('an item matches when every condition holds; categorical values are | separated', () => {
  const values: Record<string, string> = { CATEGORY: 'Snacks|Candy & Chocolate', BRAND: 'Acme' };
  const lookup = (a: string) => values[a];
  const q = (s: string) => {
    const r = parseAttributeExpression(s);
    assert.ok(r.ok);
    return r.query.conditions;
  };
  assert.equal(itemMatches(q('ITEMS.CATEGORY = "Candy & Chocolate"'), lookup), true);
  assert.equal(itemMatches(q('ITEMS.CATEGORY = "Candy"'), lookup), false);
  assert.equal(itemMatches(q('ITEMS.CATEGORY = "Snacks" AND ITEMS.BRAND = "Acme"'), lookup), true);
  assert.equal(itemMatches(q('ITEMS.CATEGORY = "Snacks" AND ITEMS.BRAND = "Other"'), lookup), false);
  assert.equal(itemMatches(q('ITEMS.COLOR = "red"'), lookup), false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchSegments, parseSegmentFile, queryKey } from './segment-output.js';

test('both real-world shapes are read: usersList / recommendedUsers, input.itemAttributes / top-level itemAttributes', () => {
  const text = [
    '{"input": {"itemId": "1"}, "output": {"usersList": ["61","22"]}, "error": null}',
    '{"input": {"itemId": "2"}, "output": {"recommendedUsers": ["7"]}}',
    '{"input": {"itemAttributes": "ITEMS.CATEGORY = \\"Candy\\""}, "output": {"usersList": ["9"]}, "error": null}',
    '{"itemAttributes": "ITEMS.CATEGORY = \\"Tea\\"", "output": {"recommendedUsers": ["8","5"]}}',
    '',
  ].join('\n');
  const r = parseSegmentFile(text, 'segments/a.out');
  assert.equal(r.bad.length, 0);
  assert.equal(r.lineCount, 4);
  assert.deepEqual(
    r.lines.map((l) => [l.query, l.users, l.line]),
    [
      [{ itemId: '1' }, ['61', '22'], 1],
      [{ itemId: '2' }, ['7'], 2],
      [{ itemAttributes: 'ITEMS.CATEGORY = "Candy"' }, ['9'], 3],
      [{ itemAttributes: 'ITEMS.CATEGORY = "Tea"' }, ['8', '5'], 4],
    ],
  );
});

test('every malformed line is counted with its file, line number and reason; blank lines and CRLF are fine', () => {
  const text = [
    '{"input": {"itemId": "1"}, "output": {"usersList": ["a"]}, "error": null}\r', // 1 ok (CRLF)
    '', // 2 blank: skipped, not an error
    '{not json', // 3
    '[1,2]', // 4
    '{"output": {"usersList": ["a"]}}', // 5 no query
    '{"input": {"itemId": "2"}}', // 6 no output
    '{"input": {"itemId": "3"}, "output": {"users": ["a"]}}', // 7 unknown users key
    '{"input": {"itemId": "4"}, "output": {"usersList": "a,b"}}', // 8 not an array
    '{"input": {"itemId": "5"}, "output": {"usersList": ["a", 7]}}', // 9 a number as user
    '{"input": {"itemId": 6}, "output": {"usersList": ["a"]}}', // 10 numeric item id
    '{"input": {"itemId": "7", "itemAttributes": "x"}, "output": {"usersList": []}}', // 11 both
    '{"input": {"itemId": "8"}, "output": {"usersList": []}, "error": "User error: bad item"}', // 12 job error (kept, empty)
    '{"input": {"itemId": "9"}, "output": {"usersList": ["a", "b", "a"]}}', // 13 duplicate user (kept once)
  ].join('\n');
  const r = parseSegmentFile(text, 'segments/x.out');
  assert.equal(r.lineCount, 12);
  assert.deepEqual(
    r.bad.map((b) => [b.line, b.kind]),
    [
      [3, 'invalid'],
      [4, 'invalid'],
      [5, 'invalid'],
      [6, 'invalid'],
      [7, 'invalid'],
      [8, 'invalid'],
      [9, 'invalid'],
      [10, 'invalid'],
      [11, 'invalid'],
      [12, 'job-error'],
      [13, 'duplicate-users'],
    ],
  );
  assert.ok(r.bad.every((b) => b.file === 'segments/x.out' && b.message.length > 0));
  assert.match(r.bad[0]!.message, /not JSON/);
  assert.match(r.bad[4]!.message, /usersList.*recommendedUsers/);
  assert.match(r.bad[6]!.message, /user #2/);
  assert.deepEqual(
    r.lines.map((l) => l.line),
    [1, 12, 13],
  );
  assert.equal(r.lines[1]!.error, 'User error: bad item');
  assert.deepEqual(r.lines[2]!.users, ['a', 'b']);
});

test('matching output to ground truth reports unknown and repeated queries and keeps the first answer', () => {
  const a = parseSegmentFile(
    ['{"input": {"itemId": "1"}, "output": {"usersList": ["a"]}}', '{"input": {"itemId": "zz"}, "output": {"usersList": ["a"]}}'].join('\n'),
    'segments/a.out',
  );
  const b = parseSegmentFile('{"input": {"itemId": "1"}, "output": {"usersList": ["b"]}}\n', 'segments/b.out');
  const m = matchSegments([a, b], new Set([queryKey({ itemId: '1' }), queryKey({ itemId: '2' })]));
  assert.deepEqual(m.byQuery.get(queryKey({ itemId: '1' }))?.users, ['a']);
  assert.equal(m.byQuery.size, 1);
  assert.deepEqual(
    m.bad.map((x) => [x.file, x.line, x.kind]),
    [
      ['segments/a.out', 2, 'unknown-query'],
      ['segments/b.out', 1, 'duplicate-query'],
    ],
  );
  assert.match(m.bad[1]!.message, /segments\/a\.out:1/);
});

test('an item id and an attribute expression with the same text are different queries', () => {
  assert.notEqual(queryKey({ itemId: 'x' }), queryKey({ itemAttributes: 'x' }));
});

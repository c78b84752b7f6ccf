import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readCsvRecords as readCsv } from '../model/csv.js';
import { AwsChunkedDecoder } from './s3/aws-chunked.js';
import { parseXml, XmlSyntaxError, xmlDocument } from './xml.js';
import { canonicalQuery, canonicalUri } from './auth/sigv4.js';
import { parseAvroSchema } from './personalize/avro-schema.js';
import { Checksum } from './s3/checksums.js';
import { parseFilterExpression, placeholders } from '../spec/filter-expression.js';

test('aws-chunked: any split of the wire bytes decodes to the same data and trailers', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
      (chunks, cuts) => {
        const wire = Buffer.concat([
          ...chunks.flatMap((ch) => [Buffer.from(`${ch.length.toString(16)};chunk-signature=abc\r\n`), Buffer.from(ch), Buffer.from('\r\n')]),
          Buffer.from('0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'),
        ]);
        const d = new AwsChunkedDecoder();
        const out: Buffer[] = [];
        let i = 0;
        let k = 0;
        while (i < wire.length) {
          const n = cuts[k++ % cuts.length]!;
          out.push(...d.push(wire.subarray(i, i + n)));
          i += n;
        }
        d.finish();
        assert.ok(Buffer.concat(out).equals(Buffer.concat(chunks.map((c) => Buffer.from(c)))));
        assert.equal(d.trailers.get('x-amz-checksum-crc32'), 'AAAAAA==');
      },
    ),
  );
  const bad = new AwsChunkedDecoder();
  assert.throws(() => bad.push(Buffer.from('zz\r\n')), { code: 'IncompleteBody' });
  const short = new AwsChunkedDecoder();
  short.push(Buffer.from('5\r\nab'));
  assert.throws(() => short.finish(), { code: 'IncompleteBody' });
});

test('xml: elements, entities, namespaces; no DOCTYPE; garbage is a syntax error, never a crash', () => {
  const doc = parseXml('<?xml version="1.0"?><Delete xmlns="http://s3"><Object><Key>a &amp; b&#x21;</Key></Object><Quiet>true</Quiet></Delete>');
  assert.equal(doc.name, 'Delete');
  assert.equal(doc.children[0]!.children[0]!.text, 'a & b!');
  assert.throws(() => parseXml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), XmlSyntaxError);
  assert.throws(() => parseXml('<a><b></a>'), XmlSyntaxError);
  assert.throws(() => parseXml('<a>' + '<b>'.repeat(100) + '</b>'.repeat(100) + '</a>'), XmlSyntaxError);
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        parseXml(s);
      } catch (e) {
        assert.ok(e instanceof XmlSyntaxError);
      }
    }),
  );
  assert.equal(xmlDocument('R', undefined, [['K', '<&>']]), '<?xml version="1.0" encoding="UTF-8"?>\n<R><K>&lt;&amp;&gt;</K></R>');
});

test('csv: quotes, escaped quotes, newlines inside quotes, line numbers', () => {
  const rows = [...readCsv('A,B\n"x, y","say ""hi"""\n"multi\nline",2\n\nlast,\\"q\n')];
  assert.deepEqual(
    rows.map((r) => r.fields),
    [
      ['A', 'B'],
      ['x, y', 'say "hi"'],
      ['multi\nline', '2'],
      ['last', '\\"q'],
    ],
  );
  assert.deepEqual(
    rows.map((r) => r.line),
    [1, 2, 3, 6],
  );
  assert.throws(() => [...readCsv('a,"open\n')], /unterminated/);
});

test("sigv4 canonical forms follow AWS's rules", () => {
  assert.equal(canonicalQuery('b=2&a=1&a=0&c'), 'a=0&a=1&b=2&c=');
  assert.equal(canonicalQuery('prefix=a%20b&list-type=2'), 'list-type=2&prefix=a%20b');
  assert.equal(canonicalUri('/bucket/a%20b/c~d', 's3'), '/bucket/a%20b/c~d');
  assert.equal(canonicalUri('/a%20b', 'personalize'), '/a%2520b');
});

test('avro schemas: flat records of primitive types only', () => {
  assert.equal(parseAvroSchema('{"type":"record","name":"x","fields":[{"name":"USER_ID","type":"string"}]}').ok, true);
  assert.equal(parseAvroSchema('{"type":"record","name":"x","fields":[{"name":"A","type":{"type":"map"}}]}').ok, false);
  assert.equal(parseAvroSchema('{"type":"record","name":"x","fields":[{"name":"A","type":"string"},{"name":"a","type":"int"}]}').ok, false);
  assert.equal(parseAvroSchema('nope').ok, false);
});

test('checksums match the published check values for "123456789"', () => {
  const check = (a: 'CRC32' | 'CRC32C' | 'CRC64NVME') => {
    const c = new Checksum(a);
    c.update(Buffer.from('1234'));
    c.update(Buffer.from('56789'));
    return Buffer.from(c.digest(), 'base64').toString('hex');
  };
  assert.equal(check('CRC32'), 'cbf43926');
  assert.equal(check('CRC32C'), 'e3069283');
  assert.equal(check('CRC64NVME'), 'ae8b14860a799888');
});

test('filter expressions: the documented user segment examples parse; garbage does not', () => {
  for (const e of [
    'INCLUDE UserID WHERE Users.MEMBERSHIP_STATUS IN ($MEMBERSHIP)',
    'EXCLUDE UserID WHERE Users.AGE < $AGE',
    'INCLUDE UserID WHERE Interactions.EVENT_TYPE IN ("click", "rating")',
    'EXCLUDE ItemID WHERE Items.GENRE IN ("Comedy") AND Items.PRICE >= 10 OR Items.CATEGORY NOT IN ("x") | INCLUDE ItemID WHERE Items.A = "b"',
  ]) {
    const r = parseFilterExpression(e);
    assert.ok(r.ok, `${e}: ${r.ok ? '' : r.error}`);
  }
  const r = parseFilterExpression('EXCLUDE ItemID WHERE Items.A IN ("x") AND Items.B > 2 OR Items.C = $C');
  assert.ok(r.ok);
  if (r.ok) {
    assert.equal(r.clauses[0]!.anyOf.length, 2);
    assert.deepEqual(placeholders(r.clauses), ['C']);
  }
  for (const bad of [
    'nonsense',
    'INCLUDE UserID',
    'INCLUDE UserID WHERE Users.X IN ("a"',
    'INCLUDE Foo WHERE Users.X = 1',
    'INCLUDE UserID WHERE Nope.X = 1',
  ]) {
    assert.equal(parseFilterExpression(bad).ok, false, bad);
  }
});

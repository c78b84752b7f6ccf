import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { readCsv } from './csv.js';
import { parseInteractions, parseItems } from './dataset.js';

describe('csv reading', () => {
  it('reads quoted fields, doubled quotes, quoted newlines, CRLF and a BOM, with record line numbers', () => {
    const rows: Array<[string[], number]> = [];
    const header = readCsv('\ufeffA,B\r\n1,"x,y"\r\n"multi\nline","say ""hi"""\n\n3,\n', (f, line) => rows.push([f, line]));
    assert.deepEqual(header, ['A', 'B']);
    assert.deepEqual(rows, [
      [['1', 'x,y'], 2],
      [['multi\nline', 'say "hi"'], 3],
      [['3', ''], 6],
    ]);
  });

  it('finds the Personalize columns in any order and codes ids in sorted order', () => {
    const data = parseInteractions('EVENT_TYPE,ITEM_ID,TIMESTAMP,USER_ID\nbuy,"i,2",20,u2\nbuy,i1,10,u1\nbuy,i1,30,u2\n');
    assert.deepEqual(data.userIds, ['u1', 'u2']);
    assert.deepEqual(data.itemIds, ['i,2', 'i1']);
    assert.deepEqual(Array.from(data.user), [1, 0, 1]);
    assert.deepEqual(Array.from(data.item), [0, 1, 1]);
    assert.deepEqual(Array.from(data.time), [20, 10, 30]);
  });

  it('rejects a header without the required columns', () => {
    assert.throws(() => parseInteractions('USER_ID,ITEM\nu,i\n'), /ITEM_ID, TIMESTAMP/);
    assert.throws(() => parseItems('CATEGORY\nx\n', ['i1']), /ITEM_ID/);
  });

  it('keeps item attributes of known items only', () => {
    const attrs = parseItems('ITEM_ID,GENRE\ni1,"a|b"\nzz,c\n', ['i1', 'i2']);
    assert.deepEqual(attrs, { columns: ['GENRE'], values: [['a|b', '']] });
  });
});

describe('csv reading in chunks', () => {
  it('gives the same records whatever the chunk size, across quoted newlines and multi-byte characters', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { readCsvFile } = await import('./csv.js');
    const dir = mkdtempSync(join(tmpdir(), 'segflow-csv-'));
    try {
      const text = 'ID,NOTE\r\n1,"a ""quoted""\nnote"\n2,café ☕\n\n3,"x,y"\n4,last';
      const path = join(dir, 'x.csv');
      writeFileSync(path, text);
      const want: Array<[string[], number]> = [];
      readCsv(text, (f, l) => want.push([f, l]));
      assert.equal(want.length, 4);
      for (const chunk of [1, 2, 3, 5, 7, 64]) {
        const got: Array<[string[], number]> = [];
        readCsvFile(path, (f, l) => got.push([f, l]), undefined, chunk);
        assert.deepEqual(got, want, `chunk ${chunk}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a backslash-escaped quote as the emulator's import check does, whatever the chunk size", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { readCsvFile } = await import('./csv.js');
    const { readCsvRecords: readImportCsv } = await import('./csv.js');
    const text = String.raw`ITEM_ID,NAME
i1,"Acme \"Best\" Co"
i2,"back\slash"
i3,"a ""b"""
`;
    const imported = [...readImportCsv(text)].slice(1).map((r) => r.fields);
    assert.deepEqual(imported, [
      ['i1', 'Acme "Best" Co'],
      ['i2', 'back\\slash'],
      ['i3', 'a "b"'],
    ]);
    const whole: string[][] = [];
    readCsv(text, (f) => whole.push(f));
    assert.deepEqual(whole, imported);
    const dir = mkdtempSync(join(tmpdir(), 'segflow-csv-'));
    try {
      const path = join(dir, 'x.csv');
      writeFileSync(path, text);
      for (const chunk of [1, 2, 3, 5, 11]) {
        const got: string[][] = [];
        readCsvFile(path, (f) => got.push(f), undefined, chunk);
        assert.deepEqual(got, imported, `chunk ${chunk}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one reader, two modes', () => {
  it('strict mode names the line of malformed quoting; fast mode reads the same text leniently', async () => {
    const { readCsvRecords, CsvSyntaxError } = await import('./csv.js');
    const bad = 'A,B\nok,1\n"x"y,2\n';
    assert.throws(
      () => [...readCsvRecords(bad)],
      (e: unknown) => e instanceof CsvSyntaxError && e.line === 3 && /after a closing quote/.test(e.message),
    );
    assert.throws(
      () => [...readCsvRecords('A\n\n"never closed\nmore\n')],
      (e: unknown) => e instanceof CsvSyntaxError && e.line === 3 && /unterminated/.test(e.message),
    );
    const rows: string[][] = [];
    readCsv(bad, (f) => rows.push(f));
    assert.deepEqual(rows, [
      ['ok', '1'],
      ['xy', '2'],
    ]);
  });

  it('both modes give the same records for well-formed text, CR line breaks included', async () => {
    const { readCsvRecords } = await import('./csv.js');
    const text = 'A,B\r\n"q ""x""",\\n\rplain,2\n\n"multi\nline","\\"y\\""\n';
    const strict = [...readCsvRecords(text)];
    const fast: Array<{ line: number; fields: string[] }> = [];
    const header = readCsv(text, (fields, line) => fast.push({ line, fields }));
    assert.deepEqual([{ line: 1, fields: header }, ...fast], strict);
    assert.deepEqual(
      strict.map((r) => r.fields),
      [
        ['A', 'B'],
        ['q "x"', '\\n'],
        ['plain', '2'],
        ['multi\nline', '"y"'],
      ],
    );
    assert.deepEqual(
      strict.map((r) => r.line),
      [1, 2, 3, 5],
    );
  });
});

import { inputError } from '../util/errors.js';
import { columnIndex, readCsv, readCsvFile } from './csv.js';

/** Feeds CSV records to the callbacks (from a string or a file) and returns the header. */
type CsvSource = (onRow: (fields: string[], line: number) => void, onHeader: (header: string[]) => void) => string[];

/**
 * Interactions as integer-coded columns. User and item indices follow the sorted order of their ids, so that
 * "lower index" is "smaller id" (the deterministic tie-break) and row order in the file never matters.
 */
export interface Interactions {
  userIds: string[];
  itemIds: string[];
  user: Int32Array;
  item: Int32Array;
  time: Float64Array;
}

/** Item attributes for the items that occur in the interactions: per column, a raw value per item index. */
export interface ItemAttributes {
  columns: string[];
  /** values[c][itemIndex]: the raw '|'-separated string, or '' when the item has none. */
  values: string[][];
}

const MAX_REPORTED = 5;

function badRows(file: string, what: string, lines: string[], total: number) {
  return inputError('DATA_BAD_ROWS', `${file}: ${total} bad row${total === 1 ? '' : 's'} (${what})`, lines.slice(0, MAX_REPORTED));
}

function parseTimestamp(raw: string): number {
  const s = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : Number.NaN;
}

/** Dense codes in sorted id order: returns the sorted ids and the old-code -> new-code map. */
function sortCodes(ids: string[]): { sorted: string[]; remap: Int32Array } {
  const order = ids.map((_, k) => k).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const remap = new Int32Array(ids.length);
  order.forEach((old, rank) => (remap[old] = rank));
  return { sorted: order.map((k) => ids[k]!), remap };
}

export function parseInteractions(text: string, file = 'interactions.csv'): Interactions {
  return readInteractions((r, h) => readCsv(text, r, h), file);
}

export function parseInteractionsFile(path: string): Interactions {
  return readInteractions((r, h) => readCsvFile(path, r, h), path);
}

function readInteractions(source: CsvSource, file: string): Interactions {
  const userCode = new Map<string, number>();
  const itemCode = new Map<string, number>();
  const users: string[] = [];
  const items: string[] = [];
  let cap = 1 << 16;
  let u = new Int32Array(cap);
  let it = new Int32Array(cap);
  let t = new Float64Array(cap);
  let n = 0;
  const bad: string[] = [];
  let badCount = 0;
  let iu = -1;
  let ii = -1;
  let itime = -1;
  let width = 0;
  const header = source(
    (f, line) => {
      const uid = f[iu]?.trim() ?? '';
      const iid = f[ii]?.trim() ?? '';
      const ts = parseTimestamp(f[itime] ?? '');
      if (f.length !== width || uid === '' || iid === '' || !Number.isFinite(ts)) {
        badCount++;
        if (bad.length < MAX_REPORTED) {
          const why =
            f.length !== width
              ? `${f.length} fields, header has ${width}`
              : uid === ''
                ? 'empty USER_ID'
                : iid === ''
                  ? 'empty ITEM_ID'
                  : `TIMESTAMP ${JSON.stringify(f[itime] ?? '')} is not epoch seconds`;
          bad.push(`${file}:${line}: ${why}`);
        }
        return;
      }
      if (n === cap) {
        cap *= 2;
        const u2 = new Int32Array(cap);
        u2.set(u);
        u = u2;
        const i2 = new Int32Array(cap);
        i2.set(it);
        it = i2;
        const t2 = new Float64Array(cap);
        t2.set(t);
        t = t2;
      }
      let uc = userCode.get(uid);
      if (uc === undefined) {
        uc = users.length;
        userCode.set(uid, uc);
        users.push(uid);
      }
      let ic = itemCode.get(iid);
      if (ic === undefined) {
        ic = items.length;
        itemCode.set(iid, ic);
        items.push(iid);
      }
      u[n] = uc;
      it[n] = ic;
      t[n] = ts;
      n++;
    },
    (h) => {
      iu = columnIndex(h, 'USER_ID');
      ii = columnIndex(h, 'ITEM_ID');
      itime = columnIndex(h, 'TIMESTAMP');
      width = h.length;
      const missing = ['USER_ID', 'ITEM_ID', 'TIMESTAMP'].filter((c, k) => [iu, ii, itime][k]! < 0);
      if (missing.length > 0) {
        throw inputError('DATA_BAD_HEADER', `${file}: header lacks ${missing.join(', ')} (got ${h.join(',')})`);
      }
    },
  );
  if (header.length === 0) throw inputError('DATA_EMPTY', `${file}: empty file`);
  if (badCount > 0) throw badRows(file, 'every row needs USER_ID, ITEM_ID and a numeric TIMESTAMP', bad, badCount);
  if (n === 0) throw inputError('DATA_EMPTY', `${file}: no interactions`);
  const su = sortCodes(users);
  const si = sortCodes(items);
  const user = u.subarray(0, n);
  const item = it.subarray(0, n);
  for (let k = 0; k < n; k++) {
    user[k] = su.remap[user[k]!]!;
    item[k] = si.remap[item[k]!]!;
  }
  return { userIds: su.sorted, itemIds: si.sorted, user: user.slice(), item: item.slice(), time: t.slice(0, n) };
}

/** Reads an items CSV (ITEM_ID plus categorical columns) for the items known to the interactions. */
export function parseItems(text: string, itemIds: string[], file = 'items.csv'): ItemAttributes {
  return readItems((r, h) => readCsv(text, r, h), itemIds, file);
}

export function parseItemsFile(path: string, itemIds: string[]): ItemAttributes {
  return readItems((r, h) => readCsvFile(path, r, h), itemIds, path);
}

function readItems(source: CsvSource, itemIds: string[], file: string): ItemAttributes {
  const index = new Map<string, number>();
  itemIds.forEach((id, k) => index.set(id, k));
  let columns: string[] = [];
  let attrCols: number[] = [];
  let idCol = -1;
  let width = 0;
  let values: string[][] = [];
  const bad: string[] = [];
  let badCount = 0;
  source(
    (f, line) => {
      const id = f[idCol]?.trim() ?? '';
      if (f.length !== width || id === '') {
        badCount++;
        if (bad.length < MAX_REPORTED) bad.push(`${file}:${line}: ${id === '' ? 'empty ITEM_ID' : `${f.length} fields, header has ${width}`}`);
        return;
      }
      const k = index.get(id);
      if (k === undefined) return; // an item nobody interacted with cannot be scored
      attrCols.forEach((c, a) => (values[a]![k] = f[c]!.trim()));
    },
    (h) => {
      idCol = columnIndex(h, 'ITEM_ID');
      if (idCol < 0) throw inputError('DATA_BAD_HEADER', `${file}: header lacks ITEM_ID (got ${h.join(',')})`);
      width = h.length;
      attrCols = h.map((_, c) => c).filter((c) => c !== idCol);
      columns = attrCols.map((c) => h[c]!);
      values = columns.map(() => new Array<string>(itemIds.length).fill(''));
    },
  );
  if (badCount > 0) throw badRows(file, 'every row needs ITEM_ID and one value per column', bad, badCount);
  return { columns, values };
}

import { timestampSql } from './classify.js';
import { type Db, sqlIdent } from './duckdb.js';
import { openSource, type SourceSpec } from './source.js';
import type { StageResult } from './stage.js';

/** strptime formats tried when a timestamp column is neither epoch nor ISO-8601 (init, and prepare's hint). */
export const TIMESTAMP_FORMATS = [
  '%m/%d/%Y %H:%M',
  '%d/%m/%Y %H:%M',
  '%m/%d/%Y %H:%M:%S',
  '%d/%m/%Y %H:%M:%S',
  '%d.%m.%Y %H:%M',
  '%d.%m.%Y %H:%M:%S',
  '%Y/%m/%d %H:%M:%S',
  '%d-%m-%Y %H:%M',
  '%m/%d/%Y',
  '%d/%m/%Y',
  '%d.%m.%Y',
];

export interface FormatGuess {
  /** The format, or undefined when the values are epoch or ISO-8601 (no format needed) or none fits. */
  format?: string;
  /** Share of the sampled non-empty values that read without a format, and with the chosen one. */
  autoShare: number;
  share: number;
  sampled: number;
}

/**
 * The strptime format most of a column's values follow: the values (a text SQL expression over `from`, at most the
 * first 10,000 rows) are tried without a format and with each of TIMESTAMP_FORMATS; the format that reads the most,
 * at least 99% of them, wins (the first on a tie). When 99% read without a format, none is needed.
 */
export async function guessTimestampFormat(db: Db, from: string, text: string): Promise<FormatGuess> {
  const v = `nullif(CAST(${text} AS VARCHAR), '')`;
  const tries = [timestampSql('v', 'TRY_CAST(v AS DOUBLE)'), ...TIMESTAMP_FORMATS.map((f) => timestampSql('v', 'NULL', f))];
  const r = await db.one<Record<string, number>>(
    `SELECT count(v) AS n, ${tries.map((t, k) => `count(${t}) AS t${k}`).join(', ')} FROM (SELECT ${v} AS v FROM ${from} LIMIT 10000)`,
  );
  const n = Number(r['n'] ?? 0);
  const share = (k: number) => (n === 0 ? 0 : Number(r[`t${k}`] ?? 0) / n);
  const autoShare = share(0);
  if (n === 0 || autoShare >= 0.99) return { autoShare, share: autoShare, sampled: n };
  let best = -1;
  TIMESTAMP_FORMATS.forEach((_, i) => {
    if (share(i + 1) >= 0.99 && (best < 0 || share(i + 1) > share(best + 1))) best = i;
  });
  return best < 0 ? { autoShare, share: 0, sampled: n } : { format: TIMESTAMP_FORMATS[best]!, autoShare, share: share(best + 1), sampled: n };
}

/** What to write in the pipeline, exactly. */
export function timestampFormatLine(format: string): string {
  return `timestampFormat: ${JSON.stringify(format)}`;
}

/**
 * When most rows of a source are bad because TIMESTAMP does not parse (dates written 01/31/2020 07:30 or
 * 31.01.2020 07:30), the line to add, found on the source's own values; undefined when no listed format fits.
 */
export async function timestampFormatHint(db: Db, src: SourceSpec, column: string, staged: StageResult, path: string): Promise<string | undefined> {
  const timestampRows = staged.badExamples.filter((b) => b.reason.startsWith('TIMESTAMP')).length;
  if (staged.badRows * 2 < staged.rowsRead || timestampRows * 2 < staged.badExamples.length) return undefined;
  const rel = await openSource(db, src, [column]);
  try {
    const guess = await guessTimestampFormat(db, rel.from, sqlIdent(column));
    if (!guess.format) return undefined;
    return `${staged.badRows} of ${staged.rowsRead} rows have a TIMESTAMP that is not epoch or ISO-8601; ${(guess.share * 100).toFixed(0)}% of its values read as ${guess.format}: add to ${path}:  ${timestampFormatLine(guess.format)}`;
  } finally {
    if (rel.rejectsTable) await db.exec(`DROP TABLE IF EXISTS ${rel.rejectsTable}; DROP TABLE IF EXISTS ${rel.rejectsTable}_scan`);
  }
}

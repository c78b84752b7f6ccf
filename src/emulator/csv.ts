/**
 * The emulator reads CSV with segflow's one reader (src/model/csv.ts, strict mode). This re-export only keeps the
 * old import path of the filter modules, which are moving elsewhere; new code imports src/model/csv.ts directly.
 */
export { CsvSyntaxError, readCsvRecords as readCsv, type CsvRecord } from '../model/csv.js';

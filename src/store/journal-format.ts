/**
 * The journal's line format: one CSV line per row, the columns in schema
 * order, then a terminator column holding `e`. A line cut short by a crash
 * lacks the terminator (or a closing quote), and readers drop it; no row is
 * ever read half-written.
 */
import { type Column, SQL_TYPES } from './schema.ts';

const NEEDS_QUOTES = /[",]/;
const LINE_BREAKS = /\r\n|[\r\n]/g;

/**
 * A free-text value for the journal: line breaks become spaces (no column
 * legitimately holds one, and a journal without them can be parsed in
 * parallel), then it is quoted when it holds a comma or a quote.
 */
export function csvText(text: string): string {
  const flat = text.includes('\n') || text.includes('\r') ? text.replace(LINE_BREAKS, ' ') : text;
  return NEEDS_QUOTES.test(flat) ? `"${flat.replaceAll('"', '""')}"` : flat;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Builds the encoder for one column list: row → one journal line (with its
 * newline). The encoder is generated as straight-line code, one expression
 * per column, because this runs once per event on the sensor's hot path and
 * a generic loop over the columns costs several times more. `token` columns
 * are written as they are (the schema promises they never hold a comma,
 * quote or line break); `text` columns go through `csvText`.
 */
export function lineEncoder<R extends object>(columns: readonly Column[]): (row: R) => string {
  const parts = columns.map((c) => {
    if (!IDENTIFIER.test(c.prop))
      throw new TypeError(`column property ${JSON.stringify(c.prop)} is not an identifier`);
    const v = `r.${c.prop}`;
    switch (c.type) {
      case 'boolean':
        return `(${v} === undefined || ${v} === null ? '' : ${v} ? 't' : 'f')`;
      case 'timestamp':
      case 'integer':
        return `(${v} === undefined || ${v} === null ? '' : Math.trunc(${v}))`;
      case 'double':
        return `(${v} === undefined || ${v} === null ? '' : ${v})`;
      case 'text':
        return `(${v} === undefined || ${v} === null ? '' : csvText(${v}))`;
      default:
        return `(${v} ?? '')`;
    }
  });
  const body = `return ${parts.join(" + ',' + ")} + ',e\\n';`;
  return new Function('csvText', `return function encodeLine(r) { ${body} };`)(csvText) as (
    row: R,
  ) => string;
}

/** A SELECT over journal files yielding rows typed and named as the schema says; torn lines excluded. */
export function journalSelectSql(columns: readonly Column[], files: readonly string[]): string {
  const csvColumns = columns
    .map((c) => `'${c.name}': '${c.type === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.type]}'`)
    .concat(`'_end': 'VARCHAR'`)
    .join(', ');
  const select = columns
    .map((c) => (c.type === 'timestamp' ? `make_timestamp(${c.name}) AS ${c.name}` : c.name))
    .join(', ');
  const list = files.map(sqlString).join(', ');
  return (
    `SELECT ${select} FROM read_csv([${list}], columns = {${csvColumns}}, header = false, ` +
    `auto_detect = false, delim = ',', quote = '"', escape = '"', ` +
    `ignore_errors = true, null_padding = false, strict_mode = true) WHERE _end = 'e'`
  );
}

/** An empty SELECT with the schema's names and types, for datasets that have no files yet. */
export function emptySelectSql(columns: readonly Column[]): string {
  const select = columns.map((c) => `CAST(NULL AS ${SQL_TYPES[c.type]}) AS ${c.name}`).join(', ');
  return `SELECT ${select} WHERE false`;
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

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

/** Thrown by a line writer when a value might not fit: the caller makes room and writes the row again. */
export class LineOverflow extends Error {}

/**
 * Writes one row as the line `lineEncoder` makes, byte for byte, straight
 * into `buf` from `at`; returns where the line ends. No string is built for
 * the line, so a sensor writing 50,000 rows a second leaves no garbage for
 * V8's collector, which matters under the antenna's small heap ceiling. The
 * caller keeps at least `LINE_WRITER_ROOM` bytes free; a string value that
 * might not fit in what is left throws `LineOverflow` instead of being cut.
 */
export function lineWriter<R extends object>(
  columns: readonly Column[],
): (row: R, buf: Buffer, at: number) => number {
  const parts = columns.map((c) => {
    if (!IDENTIFIER.test(c.prop))
      throw new TypeError(`column property ${JSON.stringify(c.prop)} is not an identifier`);
    const guard = `v = r.${c.prop}; if (v !== undefined && v !== null)`;
    switch (c.type) {
      case 'boolean':
        return `${guard} buf[at++] = v ? 116 : 102;`;
      case 'timestamp':
      case 'integer':
        return `${guard} at = writeInteger(buf, at, Math.trunc(v));`;
      case 'text':
        return `${guard} at = writeText(buf, at, v);`;
      default:
        return `${guard} at = writeString(buf, at, String(v));`;
    }
  });
  // 44 is the comma, then the terminator column `e` (101) and the newline (10).
  const body = `let v;\n${parts.join('\nbuf[at++] = 44;\n')}\nbuf[at++] = 44; buf[at++] = 101; buf[at++] = 10;\nreturn at;`;
  return new Function(
    'writeInteger',
    'writeText',
    'writeString',
    `return function writeLine(r, buf, at) { ${body} };`,
  )(writeInteger, writeText, writeString) as (row: R, buf: Buffer, at: number) => number;
}

/** Free bytes a line writer's caller keeps before each row: every value but long strings fits. */
export const LINE_WRITER_ROOM = 64 * 1024;

/** A string as UTF-8: ASCII byte by byte, the rest from the first other character by Buffer's encoder. */
function writeString(buf: Buffer, at: number, text: string): number {
  const n = text.length;
  // A UTF-16 code unit takes at most 3 bytes of UTF-8.
  if (n > 64 && at + n * 3 > buf.length) throw new LineOverflow();
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return at + i + buf.write(text.slice(i), at + i);
    buf[at + i] = c;
  }
  return at + n;
}

function writeText(buf: Buffer, at: number, text: string): number {
  return NEEDS_ESCAPING.test(text)
    ? writeString(buf, at, csvText(text))
    : writeString(buf, at, text);
}
const NEEDS_ESCAPING = /[",\r\n]/;

/** An integer's decimal digits, as `String(n)` writes them (beyond 2^53, and NaN, it is asked). */
function writeInteger(buf: Buffer, at: number, n: number): number {
  if (!(n < 9_007_199_254_740_992 && n > -9_007_199_254_740_992)) {
    return writeString(buf, at, String(n));
  }
  let rest = n;
  if (rest < 0) {
    buf[at++] = 45;
    rest = -rest;
  }
  let end = at + 1;
  for (let p = 10; p <= rest; p *= 10) end++;
  for (let i = end - 1; i >= at; i--) {
    const q = Math.floor(rest / 10);
    buf[i] = 48 + (rest - q * 10);
    rest = q;
  }
  return end;
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

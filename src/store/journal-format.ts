/**
 * The journal's line format: one CSV line per row, the columns in schema
 * order, then a terminator column holding `e`. A line cut short by a crash
 * lacks the terminator (or a closing quote), and readers drop it; no row is
 * ever read half-written.
 */
import { type Column, SQL_TYPES } from './schema.ts';

const NEEDS_QUOTES = /[",\r\n]/;

/** Builds the encoder for one column list: row → one journal line (with its newline). */
export function lineEncoder<R extends object>(columns: readonly Column[]): (row: R) => string {
  const props = columns.map((c) => c.prop);
  const types = columns.map((c) => c.type);
  const n = columns.length;
  return (row: R): string => {
    const values = row as Record<string, unknown>;
    let line = '';
    for (let i = 0; i < n; i++) {
      const value = values[props[i]!];
      if (value !== undefined && value !== null) {
        switch (types[i]) {
          case 'boolean':
            line += value === true ? 't' : 'f';
            break;
          case 'timestamp':
          case 'integer':
            line += Math.trunc(value as number);
            break;
          case 'double':
            line += value as number;
            break;
          default: {
            const text = value as string;
            line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
          }
        }
      }
      line += ',';
    }
    return `${line}e\n`;
  };
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
    `ignore_errors = true, null_padding = false, strict_mode = true, parallel = false) WHERE _end = 'e'`
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

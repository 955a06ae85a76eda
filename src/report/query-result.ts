/**
 * Query results for people (an aligned table), for spreadsheets (CSV) and
 * for programs (JSON: an array of row objects).
 */
import pc from 'picocolors';
import { renderLongTable } from './long-table.ts';

/** cli-table3 style shared by the report tables: bold head when colour works, no border colour, compact. */
export const TABLE_STYLE = { head: pc.isColorSupported ? ['bold'] : [], border: [], compact: true };

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export function resultAsTable(result: QueryResult, maxRows: number): string {
  const rows = result.rows
    .slice(0, maxRows)
    .map((row) => result.columns.map((c) => cellText(row[c])));
  const lines = [renderLongTable({ head: result.columns, style: TABLE_STYLE }, rows)];
  const more = result.rows.length - maxRows;
  lines.push(
    more > 0
      ? `${result.rows.length} rows, first ${maxRows} shown (use --csv or --json for all, or --max-rows)`
      : `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}

export function resultAsCsv(result: QueryResult): string {
  const lines = [result.columns.map(csvCell).join(',')];
  for (const row of result.rows)
    lines.push(result.columns.map((c) => csvCell(cellText(row[c]))).join(','));
  return lines.join('\n');
}

export function resultAsJson(result: QueryResult): string {
  return JSON.stringify(result.rows, null, 2);
}

/** A value as a table or CSV cell shows it: nothing for null, JSON for objects. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One CSV field, quoted when it holds a quote, comma or line break (RFC 4180). */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

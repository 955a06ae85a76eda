import { splitCsvLine } from './csv.ts';
import { EnrichmentConfigError } from './errors.ts';
import type { OverlayEntry } from './overlay.ts';

/**
 * The overlay file format: CSV with a header line naming the columns, one
 * network per line, empty cells for fields the line does not set, `#` lines
 * and blank lines ignored. Cells are trimmed; `asn` may carry an `AS` prefix.
 */

/** The overlay file's columns; `cidr` is required, the others optional and in any order. */
export const OVERLAY_COLUMNS = [
  'cidr',
  'asn',
  'org',
  'country',
  'city',
  'latitude',
  'longitude',
  'label',
] as const;

type Column = (typeof OVERLAY_COLUMNS)[number];

export const FORMAT_HINT =
  'The overlay is CSV: a header line naming the columns (cidr,asn,org,country,city,latitude,longitude,label; cidr required), then one network per line; empty cells are allowed, lines starting with # are comments.';

/** Parses overlay CSV text into entries with their line numbers; `file` names it in errors. */
export function parseOverlayCsv(
  text: string,
  file: string,
): { entry: OverlayEntry; line: number }[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let columns: Column[] | undefined;
  const out: { entry: OverlayEntry; line: number }[] = [];
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const bad = (problem: string) =>
      new EnrichmentConfigError(problem, { file, line }, FORMAT_HINT);
    const cells = splitCsvLine(trimmed)?.map((c) => c.trim());
    if (cells === undefined) throw bad('unbalanced double quotes');
    if (columns === undefined) {
      columns = readHeader(cells, bad);
      continue;
    }
    if (cells.length > columns.length) {
      throw bad(`${cells.length} cells but the header names ${columns.length} columns`);
    }
    const entry: Record<string, string | number> = {};
    for (const [i, column] of columns.entries()) {
      const cell = cells[i] ?? '';
      if (cell !== '') entry[column] = readCell(column, cell, bad);
    }
    if (entry['cidr'] === undefined) throw bad('the cidr cell is empty');
    out.push({ entry: entry as unknown as OverlayEntry, line });
  }
  return out;
}

function readHeader(cells: string[], bad: (problem: string) => Error): Column[] {
  const known = new Set<string>(OVERLAY_COLUMNS);
  const seen = new Set<string>();
  for (const cell of cells) {
    const name = cell.toLowerCase();
    if (!known.has(name)) {
      throw bad(
        `the header names an unknown column "${cell}" (the first line that is not a comment is the header)`,
      );
    }
    if (seen.has(name)) throw bad(`the header names "${cell}" twice`);
    seen.add(name);
  }
  if (!seen.has('cidr')) throw bad('the header has no cidr column (is the header line missing?)');
  return cells.map((c) => c.toLowerCase() as Column);
}

function readCell(column: Column, cell: string, bad: (problem: string) => Error): string | number {
  switch (column) {
    case 'asn': {
      const digits = /^(?:AS)?([0-9]{1,10})$/i.exec(cell)?.[1];
      if (digits === undefined) throw bad(`the asn "${cell}" is not a number (AS64512 or 64512)`);
      return Number(digits);
    }
    case 'latitude':
    case 'longitude': {
      const n = Number(cell);
      if (!/^[-+]?[0-9.]+(?:e[-+]?[0-9]+)?$/i.test(cell) || !Number.isFinite(n)) {
        throw bad(`the ${column} "${cell}" is not a number of degrees`);
      }
      return n;
    }
    default:
      return cell;
  }
}

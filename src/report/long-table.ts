/**
 * cli-table3 for tables of any length. Its layout checks every cell against
 * every row before it, so drawing time grows with the square of the rows
 * (2,000 rows of 20 columns: 4 s). A long table is therefore drawn in slices
 * of SLICE_ROWS with the same column widths, and the slices joined: the same
 * text as one table, in time linear in the rows.
 */
import Table from 'cli-table3';

const SLICE_ROWS = 50;

export interface LongTableOptions {
  head: string[];
  style: Table.TableConstructorOptions['style'];
  wordWrap?: boolean;
  /** Fixed widths (padding included); null lets the table measure the column. */
  colWidths?: (number | null)[];
}

export function renderLongTable(options: LongTableOptions, rows: readonly string[][]): string {
  if (rows.length <= SLICE_ROWS) return draw(options, rows, true);
  const slices: (readonly string[][])[] = [];
  for (let i = 0; i < rows.length; i += SLICE_ROWS) slices.push(rows.slice(i, i + SLICE_ROWS));
  // Each slice measured on its own (with the head, which every column must fit), then
  // all drawn at the widest width any slice needed: the widths one table would choose.
  const widths = options.head.map(() => 0);
  for (const slice of slices) {
    const measured = columnWidths(draw(options, slice, true));
    measured.forEach((w, i) => {
      widths[i] = Math.max(widths[i]!, w);
    });
  }
  const fixed = { ...options, colWidths: widths };
  const lines: string[] = [];
  slices.forEach((slice, i) => {
    const drawn = draw(fixed, slice, i === 0).split('\n');
    // Keep the top border and head of the first slice only, the bottom border of the last.
    const from = i === 0 ? 0 : 1;
    const to = i === slices.length - 1 ? drawn.length : drawn.length - 1;
    lines.push(...drawn.slice(from, to));
  });
  return lines.join('\n');
}

function draw(options: LongTableOptions, rows: readonly string[][], withHead: boolean): string {
  const table = new Table({
    head: withHead ? options.head : [],
    style: options.style,
    ...(options.wordWrap === undefined ? {} : { wordWrap: options.wordWrap }),
    ...(options.colWidths === undefined ? {} : { colWidths: options.colWidths as number[] }),
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

/** The widths a drawn table chose, padding included, read off its top border. */
function columnWidths(drawn: string): number[] {
  const top = drawn.slice(0, drawn.indexOf('\n'));
  return top
    .slice(1, -1)
    .split('┬')
    .map((segment) => segment.length);
}

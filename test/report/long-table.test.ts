/**
 * A long table drawn in slices reads exactly as cli-table3 draws it whole,
 * with measured and with fixed, wrapping columns.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Table from 'cli-table3';
import { renderLongTable } from '../../src/report/long-table.ts';

function whole(
  head: string[],
  rows: string[][],
  extra: { wordWrap?: boolean; colWidths?: (number | null)[] } = {},
): string {
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    ...(extra.wordWrap === undefined ? {} : { wordWrap: extra.wordWrap }),
    ...(extra.colWidths === undefined ? {} : { colWidths: extra.colWidths as number[] }),
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

describe('renderLongTable', () => {
  // The widest cell of a column sits in a late slice, so the first slices alone would be narrower.
  const rows = Array.from({ length: 650 }, (_, r) => [
    String(r),
    r === 601 ? 'the-longest-cell-of-all' : `v${r % 7}`,
    'x'.repeat((r * 13) % 40),
    r % 5 === 0 ? 'a b c d e f g h i j k l m n o p q r s t u v w x y z' : '',
  ]);
  const head = ['n', 'name', 'padding', 'free text'];

  it('matches one cli-table3 table, columns measured', () => {
    const style = { head: [], border: [], compact: true };
    assert.equal(renderLongTable({ head, style }, rows), whole(head, rows));
  });

  it('matches one cli-table3 table with a fixed, wrapping column', () => {
    const colWidths = [null, null, null, 22];
    const style = { head: [], border: [], compact: true };
    assert.equal(
      renderLongTable({ head, style, wordWrap: true, colWidths }, rows),
      whole(head, rows, { wordWrap: true, colWidths }),
    );
  });

  it('a short table is one table', () => {
    const style = { head: [], border: [], compact: true };
    assert.equal(renderLongTable({ head, style }, rows.slice(0, 3)), whole(head, rows.slice(0, 3)));
  });
});

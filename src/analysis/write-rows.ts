/**
 * Writes rows found in JavaScript (by detectors that stream the events)
 * as a derived table: appended to a temporary DuckDB table, then copied to
 * Parquet atomically by writeDerivedTable. Rows are keyed by the columns'
 * `prop`; timestamps travel as µs and become TIMESTAMP in SQL.
 */
import { writeDerivedTable } from '../store/derived.ts';
import type { Duck } from '../store/duck.ts';
import type { DataLayout } from '../store/layout.ts';
import { SQL_TYPES } from '../store/schema.ts';
import type { TableSpec } from '../store/tables.ts';

export async function writeRows(
  duck: Duck,
  layout: DataLayout,
  table: TableSpec,
  rows: readonly object[],
  orderBy?: string,
): Promise<number> {
  const temp = `${table.name}_rows`;
  const columns = table.columns;
  await tempTable(
    duck,
    temp,
    columns.map((c) => ({
      name: c.name,
      key: c.prop,
      type: c.type === 'timestamp' ? 'BIGINT' : (SQL_TYPES[c.type] as TempType),
    })),
    rows,
  );
  const select = columns
    .map((c) => (c.type === 'timestamp' ? `make_timestamp(${c.name}) AS ${c.name}` : c.name))
    .join(', ');
  try {
    return await writeDerivedTable(duck, layout, table, `SELECT ${select} FROM ${temp}`, orderBy);
  } finally {
    await duck.run(`DROP TABLE ${temp}`);
  }
}

export type TempType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';

export interface TempColumn {
  name: string;
  type: TempType;
  /** Where each row holds the value (default: the column's name); an index for array rows. */
  key?: string | number;
}

/**
 * A temporary table filled from JavaScript rows through one appender:
 * undefined and null become NULL, BIGINT values are truncated to integers.
 */
export async function tempTable(
  duck: Duck,
  name: string,
  columns: readonly TempColumn[],
  rows: readonly object[],
): Promise<void> {
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${name} (${columns.map((c) => `${c.name} ${c.type}`).join(', ')})`,
  );
  const appender = await duck.connection.createAppender(name);
  try {
    for (const row of rows) {
      for (const c of columns) {
        const value = (row as Readonly<Record<string | number, unknown>>)[c.key ?? c.name];
        if (value === undefined || value === null) appender.appendNull();
        else if (c.type === 'BIGINT') appender.appendBigInt(BigInt(Math.trunc(value as number)));
        else if (c.type === 'DOUBLE') appender.appendDouble(value as number);
        else if (c.type === 'BOOLEAN') appender.appendBoolean(value as boolean);
        else appender.appendVarchar(String(value));
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * A temporary table of text columns (the keys a step joins the events
 * against: addresses, ids), from rows given as arrays.
 */
export function textTable(
  duck: Duck,
  name: string,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): Promise<void> {
  return tempTable(
    duck,
    name,
    columns.map((c, i) => ({ name: c, type: 'VARCHAR', key: i })),
    rows,
  );
}

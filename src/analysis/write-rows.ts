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
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${temp} (${columns.map((c) => `${c.name} ${c.type === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.type]}`).join(', ')})`,
  );
  const appender = await duck.connection.createAppender(temp);
  try {
    for (const row of rows) {
      for (const c of columns) {
        const value = (row as Readonly<Record<string, unknown>>)[c.prop];
        if (value === undefined || value === null) appender.appendNull();
        else if (c.type === 'timestamp' || c.type === 'integer')
          appender.appendBigInt(BigInt(Math.trunc(value as number)));
        else if (c.type === 'double') appender.appendDouble(value as number);
        else if (c.type === 'boolean') appender.appendBoolean(value as boolean);
        else appender.appendVarchar(String(value));
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const select = columns
    .map((c) => (c.type === 'timestamp' ? `make_timestamp(${c.name}) AS ${c.name}` : c.name))
    .join(', ');
  try {
    return await writeDerivedTable(duck, layout, table, `SELECT ${select} FROM ${temp}`, orderBy);
  } finally {
    await duck.run(`DROP TABLE ${temp}`);
  }
}

/**
 * A temporary table of text columns filled from JavaScript through one
 * appender (the keys a step joins the events against: addresses, ids).
 */
export async function textTable(
  duck: Duck,
  name: string,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): Promise<void> {
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${name} (${columns.map((c) => `${c} VARCHAR`).join(', ')})`,
  );
  const appender = await duck.connection.createAppender(name);
  try {
    for (const row of rows) {
      for (const value of row) appender.appendVarchar(value);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** A temporary table of BIGINT columns filled from JavaScript rows keyed by column name. */
export async function numberTable(
  duck: Duck,
  name: string,
  columns: readonly string[],
  rows: readonly object[],
): Promise<void> {
  await duck.run(
    `CREATE OR REPLACE TEMP TABLE ${name} (${columns.map((c) => `${c} BIGINT`).join(', ')})`,
  );
  const appender = await duck.connection.createAppender(name);
  try {
    for (const row of rows) {
      for (const c of columns) {
        const value = (row as Readonly<Record<string, unknown>>)[c];
        if (typeof value === 'number') appender.appendBigInt(BigInt(Math.trunc(value)));
        else appender.appendNull();
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/**
 * Derived tables: how `compute` writes them and how `report` learns how fresh
 * they are. A table is one Parquet file under tables/, replaced atomically
 * (written under tmp/, fsynced by DuckDB, renamed), so a report running at the
 * same time reads the old file or the new one, never half of one. The
 * catalog (tables/catalog.json) records, per table, when it was computed,
 * over which window of events, how many rows it has and how long it took.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duck } from './duck.ts';
import { sqlString } from './journal-format.ts';
import type { DataLayout } from './layout.ts';
import type { TableSpec } from './tables.ts';

export interface CatalogEntry {
  /** When compute finished the table (ISO 8601). */
  computedAt: string;
  /** The events it was computed from: first and last event time (ISO 8601), absent for an empty store. */
  eventsFrom?: string;
  eventsTo?: string;
  events: number;
  rows: number;
  durationMs: number;
}

export type Catalog = Record<string, CatalogEntry>;

export function catalogPath(layout: DataLayout): string {
  return join(layout.tablesDir, 'catalog.json');
}

export function readCatalog(layout: DataLayout): Catalog {
  const path = catalogPath(layout);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Catalog;
  } catch {
    // A catalog is rebuilt by the next compute; an unreadable one only loses freshness notes.
    return {};
  }
}

export function recordInCatalog(layout: DataLayout, table: string, entry: CatalogEntry): void {
  const catalog = { ...readCatalog(layout), [table]: entry };
  const path = catalogPath(layout);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(catalog, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * Writes the rows of `select` (which must produce the table's columns, in
 * any order) as the table's Parquet file, atomically; returns the row count.
 */
export async function writeDerivedTable(
  duck: Duck,
  layout: DataLayout,
  table: TableSpec,
  select: string,
  orderBy?: string,
): Promise<number> {
  const tmp = join(layout.tmpDir, `${table.name}-${process.pid}.parquet`);
  const columns = table.columns.map((c) => c.name).join(', ');
  const order = orderBy === undefined ? '' : ` ORDER BY ${orderBy}`;
  const [result] = await duck.rows(
    `COPY (SELECT ${columns} FROM (${select})${order}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  renameSync(tmp, layout.tableFile(table.name));
  return Number((result as { Count?: bigint } | undefined)?.Count ?? 0);
}

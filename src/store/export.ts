/**
 * `dhtscope export`: events of a time range written to one Parquet or CSV
 * file, written beside the target and renamed into place when complete.
 */
import { renameSync } from 'node:fs';
import { sqlString } from './journal-format.ts';
import type { StoreReader } from './reader.ts';

export type ExportFormat = 'parquet' | 'csv';

export interface ExportOptions {
  /** Inclusive start (UTC). */
  since?: Date;
  /** Exclusive end (UTC). */
  until?: Date;
  format: ExportFormat;
  out: string;
}

export async function exportEvents(
  reader: StoreReader,
  options: ExportOptions,
): Promise<{ rows: number }> {
  const where: string[] = [];
  if (options.since !== undefined) where.push(`ts >= ${timestampSql(options.since)}`);
  if (options.until !== undefined) where.push(`ts < ${timestampSql(options.until)}`);
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  const tmp = `${options.out}.partial`;
  const format =
    options.format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
  const result = await reader.withFreshViews((duck) =>
    duck.rows(`COPY (SELECT * FROM events${filter} ORDER BY ts) TO ${sqlString(tmp)} (${format})`),
  );
  renameSync(tmp, options.out);
  return { rows: Number(Object.values(result[0] ?? {})[0] ?? 0) };
}

function timestampSql(date: Date): string {
  return `make_timestamp(${date.getTime() * 1000})`;
}

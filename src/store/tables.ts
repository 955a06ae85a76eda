/**
 * Single-file tables kept under tables/ (daily_summaries now; the derived
 * tables of `compute` register here as they are built). A table with no file
 * yet still has its view, empty, with its columns.
 */
import { type Column, DAILY_SUMMARY_COLUMNS } from './schema.ts';

export interface TableSpec {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly description: string;
}

export const DAILY_SUMMARIES: TableSpec = {
  name: 'daily_summaries',
  columns: DAILY_SUMMARY_COLUMNS,
  description:
    'per-day aggregates folded from raw events before retention deletes them (kept forever)',
};

export const TABLES: readonly TableSpec[] = [DAILY_SUMMARIES];

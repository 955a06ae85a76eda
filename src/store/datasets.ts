/**
 * The journaled datasets: rows appended by a running process, kept in a
 * journal until rotated into Parquet partitions, and expired whole
 * partitions at a time.
 */
import { ALERT_COLUMNS, type Column, EVENT_COLUMNS, SYSTEM_METRICS_COLUMNS } from './schema.ts';

export interface Dataset {
  /** Folder name and SQL view name. */
  readonly name: string;
  readonly columns: readonly Column[];
  /** The column that places a row in a partition (a timestamp column). */
  readonly timeColumn: string;
  /** Partition granularity: one folder per UTC day, or per UTC hour inside each day. */
  readonly partition: 'hour' | 'day';
  /** Days kept by default before retention removes a partition (RETENTION_DEFAULTS may override). */
  readonly retentionDays: number;
}

export const EVENTS: Dataset = {
  name: 'events',
  columns: EVENT_COLUMNS,
  timeColumn: 'ts',
  partition: 'hour',
  retentionDays: 30, // the source documents keep raw events 30 days
};

export const SYSTEM_METRICS: Dataset = {
  name: 'system_metrics',
  columns: SYSTEM_METRICS_COLUMNS,
  timeColumn: 'ts',
  partition: 'day',
  retentionDays: 7, // the source documents keep metrics 168 hours
};

export const ALERTS: Dataset = {
  name: 'alerts',
  columns: ALERT_COLUMNS,
  timeColumn: 'ts',
  partition: 'day',
  // Few rows a day, and the record of what was seen: retention leaves them alone.
  retentionDays: Number.POSITIVE_INFINITY,
};

export const DATASETS: readonly Dataset[] = [EVENTS, SYSTEM_METRICS, ALERTS];

export function datasetNamed(name: string): Dataset | undefined {
  return DATASETS.find((d) => d.name === name);
}

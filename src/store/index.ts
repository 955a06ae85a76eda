export { ALERTS, DATASETS, type Dataset, EVENTS, SYSTEM_METRICS } from './datasets.ts';
export { Duck } from './duck.ts';
export { StoreError } from './errors.ts';
export { type ExportFormat, type ExportOptions, exportEvents } from './export.ts';
export { JOURNAL_DEFAULTS, Journal, type JournalOptions, type JournalStats } from './journal.ts';
export { DATA_FORMAT_VERSION, DataLayout, openDataDir } from './layout.ts';
export { StoreReader, viewNamesText } from './reader.ts';
export {
  RETENTION_DEFAULTS,
  RETENTION_INTERVAL_MS,
  type RetentionReport,
  runRetention,
} from './retention.ts';
export * from './schema.ts';
export { DAILY_SUMMARIES, TABLES, type TableSpec } from './tables.ts';

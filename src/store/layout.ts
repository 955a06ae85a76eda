/**
 * Where everything lives in a data directory (documented in
 * docs/data-directory.md). A small JSON file at the root names the format
 * and its version, so a future dhtscope can recognise and migrate it.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dataset } from './datasets.ts';
import { StoreError } from './errors.ts';

export const DATA_FORMAT = 'dhtscope-data';
export const DATA_FORMAT_VERSION = 1;
const FORMAT_FILE = 'dhtscope-data.json';

export interface PartitionKey {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** 00–23 (UTC), for hourly datasets. */
  hour?: string;
}

export class DataLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get formatFile(): string {
    return join(this.root, FORMAT_FILE);
  }
  /** Files being written; never read by anyone, cleared by writers at start. */
  get tmpDir(): string {
    return join(this.root, 'tmp');
  }
  /** Single-file tables: daily_summaries and the derived tables of `compute`. */
  get tablesDir(): string {
    return join(this.root, 'tables');
  }
  tableFile(name: string): string {
    return join(this.tablesDir, `${name}.parquet`);
  }
  journalDir(dataset: Dataset): string {
    return join(this.root, 'journal', dataset.name);
  }
  datasetDir(dataset: Dataset): string {
    return join(this.root, dataset.name);
  }
  partitionDir(dataset: Dataset, key: PartitionKey): string {
    const day = join(this.datasetDir(dataset), `date=${key.date}`);
    return key.hour === undefined ? day : join(day, `hour=${key.hour}`);
  }
  lockFile(dataset: Dataset, writerId: string): string {
    return join(this.journalDir(dataset), `${writerId}.lock`);
  }
}

/**
 * Opens (and with `create`, makes) a data directory, checking that it is one
 * of ours and of a format version this dhtscope understands.
 */
export function openDataDir(root: string, options: { create: boolean }): DataLayout {
  const layout = new DataLayout(root);
  if (!existsSync(layout.root)) {
    if (!options.create) {
      throw new StoreError(
        `no data directory at ${layout.root}`,
        'point --data-dir (or DHTSCOPE_DATA_DIR) at a data directory that dhtscope has written',
      );
    }
    mkdirSync(layout.root, { recursive: true });
  }
  if (!statSync(layout.root).isDirectory()) {
    throw new StoreError(
      `${layout.root} is a file, not a data directory`,
      'point --data-dir (or DHTSCOPE_DATA_DIR) at a directory',
    );
  }
  if (existsSync(layout.formatFile)) {
    checkFormat(layout);
  } else {
    const entries = readdirSync(layout.root).filter((e) => !e.startsWith('.'));
    if (entries.length > 0) {
      throw new StoreError(
        `${layout.root} is not empty and is not a dhtscope data directory (no ${FORMAT_FILE})`,
        options.create
          ? 'choose an empty or new folder for --data-dir'
          : 'point --data-dir (or DHTSCOPE_DATA_DIR) at a data directory that dhtscope has written',
      );
    }
    if (!options.create) {
      throw new StoreError(
        `${layout.root} holds no dhtscope data yet`,
        'run a sensor first, or check --data-dir',
      );
    }
    const tmp = `${layout.formatFile}.tmp`;
    writeFileSync(
      tmp,
      `${JSON.stringify({ format: DATA_FORMAT, version: DATA_FORMAT_VERSION, created: new Date().toISOString() }, null, 2)}\n`,
    );
    renameSync(tmp, layout.formatFile);
  }
  for (const dir of [layout.tmpDir, layout.tablesDir]) mkdirSync(dir, { recursive: true });
  return layout;
}

function checkFormat(layout: DataLayout): void {
  let parsed: { format?: unknown; version?: unknown };
  try {
    parsed = JSON.parse(readFileSync(layout.formatFile, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new StoreError(`${layout.formatFile} is not valid JSON (${(error as Error).message})`);
  }
  if (parsed.format !== DATA_FORMAT || typeof parsed.version !== 'number') {
    throw new StoreError(`${layout.formatFile} does not describe a dhtscope data directory`);
  }
  if (parsed.version > DATA_FORMAT_VERSION) {
    throw new StoreError(
      `${layout.root} has data format version ${parsed.version}; this dhtscope reads up to ${DATA_FORMAT_VERSION}`,
      'upgrade dhtscope to read it',
    );
  }
}

/** The partition of a timestamp (µs since the epoch, UTC). */
export function partitionOf(dataset: Dataset, tsMicros: number): PartitionKey {
  const iso = new Date(Math.floor(tsMicros / 1000)).toISOString();
  const date = iso.slice(0, 10);
  return dataset.partition === 'hour' ? { date, hour: iso.slice(11, 13) } : { date };
}

/**
 * Naming and listing of journal and partition files. A journal file and the
 * Parquet part it becomes share the writer id and sequence number, which is
 * how a reader avoids counting rows twice while a rotation is finishing and
 * how a restarted writer knows what it already converted.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './datasets.ts';
import type { DataLayout, PartitionKey } from './layout.ts';

export interface JournalFile {
  path: string;
  writerId: string;
  seq: number;
  partition: PartitionKey;
}

export interface PartFile {
  path: string;
  writerId: string;
  seq: number;
  partition: PartitionKey;
}

const WRITER_ID = /^[A-Za-z0-9_]{1,40}$/;
const JOURNAL_NAME = /^([A-Za-z0-9_]{1,40})-(\d{12})-(\d{4}-\d{2}-\d{2})(?:T(\d{2}))?\.csv$/;
const PART_NAME = /^part-([A-Za-z0-9_]{1,40})-(\d{12})\.parquet$/;

export function isValidWriterId(id: string): boolean {
  return WRITER_ID.test(id);
}

function seqText(seq: number): string {
  return String(seq).padStart(12, '0');
}

export function journalPath(
  layout: DataLayout,
  dataset: Dataset,
  writerId: string,
  seq: number,
  key: PartitionKey,
): string {
  const when = key.hour === undefined ? key.date : `${key.date}T${key.hour}`;
  return join(layout.journalDir(dataset), `${writerId}-${seqText(seq)}-${when}.csv`);
}

export function partPath(
  layout: DataLayout,
  dataset: Dataset,
  writerId: string,
  seq: number,
  key: PartitionKey,
): string {
  return join(layout.partitionDir(dataset, key), `part-${writerId}-${seqText(seq)}.parquet`);
}

export function listJournals(layout: DataLayout, dataset: Dataset): JournalFile[] {
  const dir = layout.journalDir(dataset);
  if (!existsSync(dir)) return [];
  const files: JournalFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = JOURNAL_NAME.exec(name);
    if (m === null) continue;
    const partition: PartitionKey =
      m[4] === undefined ? { date: m[3]! } : { date: m[3]!, hour: m[4] };
    files.push({ path: join(dir, name), writerId: m[1]!, seq: Number(m[2]), partition });
  }
  return files.sort((a, b) => a.writerId.localeCompare(b.writerId) || a.seq - b.seq);
}

/** Every Parquet part of a dataset, optionally only those of some days. */
export function listParts(
  layout: DataLayout,
  dataset: Dataset,
  dates?: ReadonlySet<string>,
): PartFile[] {
  const root = layout.datasetDir(dataset);
  if (!existsSync(root)) return [];
  const parts: PartFile[] = [];
  for (const dayDir of readdirSync(root)) {
    if (!dayDir.startsWith('date=')) continue;
    const date = dayDir.slice(5);
    if (dates !== undefined && !dates.has(date)) continue;
    const dayPath = join(root, dayDir);
    const collect = (dir: string, partition: PartitionKey) => {
      for (const name of readdirSync(dir)) {
        const m = PART_NAME.exec(name);
        if (m !== null)
          parts.push({ path: join(dir, name), writerId: m[1]!, seq: Number(m[2]), partition });
      }
    };
    if (dataset.partition === 'hour') {
      for (const hourDir of readdirSync(dayPath)) {
        if (hourDir.startsWith('hour='))
          collect(join(dayPath, hourDir), { date, hour: hourDir.slice(5) });
      }
    } else {
      collect(dayPath, { date });
    }
  }
  return parts.sort((a, b) => a.path.localeCompare(b.path));
}

/** The dates (YYYY-MM-DD) that have a partition folder. */
export function listPartitionDates(layout: DataLayout, dataset: Dataset): string[] {
  const root = layout.datasetDir(dataset);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => /^date=\d{4}-\d{2}-\d{2}$/.test(d))
    .map((d) => d.slice(5))
    .sort();
}

/**
 * What a reader should scan: all parts, and the journals not yet turned into
 * a part. Journals are listed before parts, so a rotation completing in
 * between can only make a journal look unconverted when its part is already
 * listed (then the journal is dropped), never the other way round.
 */
export function filesToRead(
  layout: DataLayout,
  dataset: Dataset,
): { parts: string[]; journals: string[] } {
  const journals = listJournals(layout, dataset);
  const parts = listParts(layout, dataset);
  const converted = new Set(parts.map((p) => `${p.writerId}/${p.seq}`));
  return {
    parts: parts.map((p) => p.path),
    journals: journals.filter((j) => !converted.has(`${j.writerId}/${j.seq}`)).map((j) => j.path),
  };
}

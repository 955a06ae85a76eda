/**
 * The crash-safe append path. Rows are buffered in memory and written to the
 * current journal file at least every `flushIntervalMs` (one second at most,
 * so a crash or a kill loses at most the last second), then fsynced. A
 * journal file holds one partition (hour or day) and is rotated into a
 * Parquet part when the partition changes, when it grows past
 * `rotateBytes`, or after `rotateAfterMs`. Rotation runs in the background;
 * appends never wait for it. Neither do they wait for the fsync: it runs on
 * libuv's thread pool, because a slow disk would otherwise stall the event
 * loop and the kernel would drop datagrams that nobody counts.
 *
 * One writer id is one process at a time (a lock file says which); several
 * writers with different ids may share a data directory.
 */

import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fdatasync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from './datasets.ts';
import { StoreError } from './errors.ts';
import {
  isValidWriterId,
  type JournalFile,
  journalPath,
  listJournals,
  listParts,
} from './files.ts';
import { LINE_WRITER_ROOM, LineOverflow, lineWriter } from './journal-format.ts';
import { type DataLayout, type PartitionKey, partitionOf } from './layout.ts';

export interface JournalOptions {
  /** Names this writer's files; one process per id at a time. */
  writerId: string;
  /** How often buffered rows reach the file. The crash-loss window; at most 1000. */
  flushIntervalMs: number;
  /** fsync after each flush, so a machine crash (not just a process kill) loses at most that window. */
  fsync: boolean;
  /** Rotate the journal into Parquet once it holds this many bytes. */
  rotateBytes: number;
  /** …or once it is this old (so readers mostly scan Parquet, not CSV). */
  rotateAfterMs: number;
  /** Flush early when this many bytes are buffered. */
  maxBufferedBytes: number;
  /**
   * Closed journal files converted per rotation process. 1 for a sensor (each
   * hour's file reaches Parquet as soon as the hour ends); a bulk writer such as
   * the lab's trace generator, closing a file per hour of lab time many times a
   * second, batches them, since a process costs about 0.3 s to start.
   */
  rotationBatch: number;
  /** Called when a background rotation fails; the journal stays and is retried at the next start. */
  onError: (error: unknown) => void;
}

export const JOURNAL_DEFAULTS: JournalOptions = {
  writerId: 'main',
  flushIntervalMs: 250,
  fsync: true,
  rotateBytes: 64 * 1024 * 1024,
  rotateAfterMs: 5 * 60_000,
  maxBufferedBytes: 1024 * 1024,
  rotationBatch: 1,
  onError: (error) => {
    process.emitWarning(
      `dhtscope store: rotation failed, will retry at next start: ${String(error)}`,
    );
  },
};

export interface JournalStats {
  appended: number;
  flushed: number;
  rotations: number;
  bufferedRows: number;
}

interface OpenFile {
  fd: number;
  journal: JournalFile;
  bucket: number;
  bytes: number;
  openedAt: number;
  /** An fdatasync of this file is on the thread pool. */
  syncing: boolean;
  /** Rows were written while it ran: sync once more when it ends. */
  syncAgain: boolean;
  /** Closes the file once the last fsync has ended (set by rotate). */
  afterSync: (() => void) | undefined;
}

export class Journal<R extends object> {
  readonly dataset: Dataset;
  private readonly layout: DataLayout;
  private readonly options: JournalOptions;
  private readonly writeLine: (row: R, buf: Buffer, at: number) => number;
  private readonly timeProp: string;
  private readonly bucketMicros: number;
  private readonly timer: NodeJS.Timeout;
  private current: OpenFile | undefined;
  private nextSeq: number;
  /**
   * Rows waiting for the next flush, as the bytes of their lines: each row is
   * written straight in, no string per line (lines kept as strings until the
   * flush reached V8's old space and made the garbage collector's work).
   */
  private buffer: Buffer;
  private bufferedBytes = 0;
  private pendingRows = 0;
  private rotations: Promise<void> = Promise.resolve();
  private closedFiles: JournalFile[] = [];
  /** Settle when the closed files' last fsyncs have ended and their descriptors are closed. */
  private closings: Promise<void>[] = [];
  private closed = false;
  private readonly counters = { appended: 0, flushed: 0, rotations: 0 };

  private constructor(
    layout: DataLayout,
    dataset: Dataset,
    options: JournalOptions,
    nextSeq: number,
  ) {
    this.layout = layout;
    this.dataset = dataset;
    this.options = options;
    this.nextSeq = nextSeq;
    this.buffer = Buffer.allocUnsafe(options.maxBufferedBytes + LINE_WRITER_ROOM);
    this.writeLine = lineWriter<R>(dataset.columns);
    const timeColumn = dataset.columns.find((c) => c.name === dataset.timeColumn);
    if (timeColumn === undefined)
      throw new TypeError(`${dataset.name} has no column ${dataset.timeColumn}`);
    this.timeProp = timeColumn.prop;
    this.bucketMicros = (dataset.partition === 'hour' ? 3600 : 86_400) * 1_000_000;
    this.timer = setInterval(() => this.tick(), options.flushIntervalMs);
    this.timer.unref();
  }

  /**
   * Opens the journal of one dataset for writing: takes the writer lock,
   * converts what a previous run of this writer left behind, and starts a
   * new journal file on the first append.
   */
  static async open<R extends object>(
    layout: DataLayout,
    dataset: Dataset,
    options: Partial<JournalOptions> = {},
  ): Promise<Journal<R>> {
    const resolved: JournalOptions = { ...JOURNAL_DEFAULTS, ...options };
    if (!isValidWriterId(resolved.writerId)) {
      throw new StoreError(
        `writer id "${resolved.writerId}" is not valid`,
        'use 1 to 40 letters, digits or underscores',
      );
    }
    if (!(resolved.flushIntervalMs > 0 && resolved.flushIntervalMs <= 1000)) {
      throw new StoreError(`flush interval ${resolved.flushIntervalMs} ms is outside 1..1000 ms`);
    }
    mkdirSync(layout.journalDir(dataset), { recursive: true });
    acquireLock(layout.lockFile(dataset, resolved.writerId), dataset, resolved.writerId);
    clearTmp(layout, resolved.writerId);
    const leftovers = listJournals(layout, dataset).filter((j) => j.writerId === resolved.writerId);
    let maxSeq = 0;
    for (const journal of leftovers) maxSeq = Math.max(maxSeq, journal.seq);
    if (leftovers.length > 0) await rotateInChild(layout, dataset, leftovers);
    for (const part of listParts(layout, dataset)) {
      if (part.writerId === resolved.writerId) maxSeq = Math.max(maxSeq, part.seq);
    }
    return new Journal<R>(layout, dataset, resolved, maxSeq + 1);
  }

  /** Buffers one row. Never blocks on disk; `flush` or the timer writes it. */
  append(row: R): void {
    if (this.closed) throw new StoreError(`the ${this.dataset.name} journal is closed`);
    const ts = (row as Record<string, unknown>)[this.timeProp] as number;
    const bucket = Math.floor(ts / this.bucketMicros);
    if (this.current === undefined || bucket !== this.current.bucket) this.switchFile(bucket, ts);
    // The buffer is LINE_WRITER_ROOM longer than maxBufferedBytes, and a row that
    // reaches that flushes: the room the line writer needs is always there.
    for (;;) {
      try {
        this.bufferedBytes = this.writeLine(row, this.buffer, this.bufferedBytes);
        break;
      } catch (error) {
        if (!(error instanceof LineOverflow)) throw error;
        // A long text value: write out what is buffered, then make the buffer larger.
        if (this.bufferedBytes > 0) this.writeBuffer();
        else this.buffer = Buffer.allocUnsafe(this.buffer.length * 2);
      }
    }
    this.pendingRows++;
    this.counters.appended++;
    if (this.bufferedBytes >= this.options.maxBufferedBytes) this.flush();
  }

  /** Writes every buffered row to the journal file and starts its fsync in the background. */
  flush(): void {
    const current = this.current;
    if (current === undefined || this.pendingRows === 0) return;
    const rows = this.pendingRows;
    this.pendingRows = 0;
    this.writeBuffer();
    if (this.options.fsync) this.syncInBackground(current);
    this.counters.flushed += rows;
  }

  /** Writes the buffer's bytes to the current file. */
  private writeBuffer(): void {
    const current = this.current!;
    const length = this.bufferedBytes;
    this.bufferedBytes = 0;
    let written = 0;
    while (written < length) {
      written += writeSync(current.fd, this.buffer, written, length - written);
    }
    current.bytes += length;
  }

  /** One fdatasync at a time per file; writes during it are covered by one more. */
  private syncInBackground(file: OpenFile): void {
    if (file.syncing) {
      file.syncAgain = true;
      return;
    }
    file.syncing = true;
    fdatasync(file.fd, (error) => {
      if (error) this.options.onError(error);
      if (file.syncAgain) {
        file.syncAgain = false;
        file.syncing = false;
        this.syncInBackground(file);
        return;
      }
      file.syncing = false;
      file.afterSync?.();
    });
  }

  /** Closes a file now, or after the fsync still running on it (never under its feet). */
  private closeFile(file: OpenFile): Promise<void> {
    if (!file.syncing) {
      closeSync(file.fd);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      file.afterSync = () => {
        closeSync(file.fd);
        resolve();
      };
    });
  }

  /** Closes the current journal file and rotates it into Parquet in the background. */
  rotate(): void {
    this.flush();
    const current = this.current;
    if (current === undefined) return;
    this.current = undefined;
    this.closings.push(this.closeFile(current));
    this.closedFiles.push(current.journal);
    if (this.closedFiles.length >= this.options.rotationBatch) this.rotateClosedFiles();
  }

  /** Converts the closed files not yet converted, in one process, after the rotations before it. */
  private rotateClosedFiles(): void {
    const files = this.closedFiles;
    if (files.length === 0) return;
    this.closedFiles = [];
    const closings = this.closings;
    this.closings = [];
    this.rotations = this.rotations.then(async () => {
      await Promise.all(closings);
      try {
        this.counters.rotations += await rotateInChild(this.layout, this.dataset, files);
      } catch (error) {
        this.options.onError(error);
      }
    });
  }

  /** Waits for the rotations started so far. */
  async settled(): Promise<void> {
    await this.rotations;
  }

  /** Flushes, rotates everything into Parquet and releases the writer lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    this.rotate();
    this.rotateClosedFiles();
    this.closed = true;
    await this.rotations;
    rmSync(this.layout.lockFile(this.dataset, this.options.writerId), { force: true });
  }

  /** Rows waiting to be written; read per event by the sensor, so no object is built. */
  get bufferedRows(): number {
    return this.pendingRows;
  }

  get stats(): JournalStats {
    return { ...this.counters, bufferedRows: this.pendingRows };
  }

  private switchFile(bucket: number, ts: number): void {
    if (this.current !== undefined) this.rotate();
    const partition: PartitionKey = partitionOf(this.dataset, ts);
    const seq = this.nextSeq++;
    const path = journalPath(this.layout, this.dataset, this.options.writerId, seq, partition);
    const fd = openSync(path, 'a');
    const journal: JournalFile = { path, writerId: this.options.writerId, seq, partition };
    this.current = {
      fd,
      journal,
      bucket,
      bytes: 0,
      openedAt: Date.now(),
      syncing: false,
      syncAgain: false,
      afterSync: undefined,
    };
  }

  private tick(): void {
    try {
      this.flush();
      const current = this.current;
      if (
        current !== undefined &&
        current.bytes > 0 &&
        (current.bytes >= this.options.rotateBytes ||
          Date.now() - current.openedAt >= this.options.rotateAfterMs)
      ) {
        this.rotate();
      }
    } catch (error) {
      this.options.onError(error);
    }
  }
}

const ROTATE_CHILD = fileURLToPath(
  new URL(`./rotate-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);

/** Converts journals into Parquet parts in a child process (see rotate-child.ts); resolves to parts written. */
function rotateInChild(
  layout: DataLayout,
  dataset: Dataset,
  journals: JournalFile[],
): Promise<number> {
  const job = JSON.stringify({ root: layout.root, dataset: dataset.name, journals });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROTATE_CHILD, job], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve((JSON.parse(out) as { parts: number }).parts);
      else
        reject(
          new StoreError(
            `rotating ${journals.length} journal file(s) failed (exit ${code}): ${err.trim()}`,
          ),
        );
    });
  });
}

/**
 * Takes the lock of one writer id, or explains who holds it. A lock left by
 * a process that no longer runs is taken over.
 */
function acquireLock(path: string, dataset: Dataset, writerId: string): void {
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new StoreError(
        `another process (pid ${pid}) is writing ${dataset.name} as writer "${writerId}" in this data directory`,
        'stop that process, or give this one another writer id',
      );
    }
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`);
  renameSync(tmp, path);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes this writer's unfinished rotation outputs (never visible to readers). */
function clearTmp(layout: DataLayout, writerId: string): void {
  if (!existsSync(layout.tmpDir)) return;
  for (const name of readdirSync(layout.tmpDir)) {
    if (name.startsWith(`part-${writerId}-`)) unlinkSync(join(layout.tmpDir, name));
  }
}

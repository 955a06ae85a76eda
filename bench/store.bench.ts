/**
 * The event store, in the same run: (1) appending events to the journal
 * against a bare baseline that writes the same CSV bytes with fs.writeSync
 * (the I/O floor), interleaved pass by pass; (2) rotating each pass's
 * journal into Parquet; (3) `sql` latency of a count by kind over
 * 10 M events, against DuckDB reading the same Parquet files by glob.
 * Goals (DESIGN.md): ≥ 500,000 events/s appended on one core; the count ≤ 1 s.
 */
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partPath } from '../src/store/files.ts';
import {
  Duck,
  EVENT_COLUMNS,
  EVENTS,
  type EventRecord,
  Journal,
  openDataDir,
  SQL_TYPES,
  StoreReader,
} from '../src/store/index.ts';
import { lineEncoder } from '../src/store/journal-format.ts';
import { makeEvents } from '../test/helpers/events.ts';
import type { BenchResult } from './harness.ts';

const PASS_EVENTS = 200_000;
const ROUNDS = 6;
const SQL_EVENTS = 10_000_000;
const SQL_RUNS = 7;

export async function run(): Promise<BenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'dhtscope-bench-store-'));
  const lines: string[] = [];
  try {
    await appendBench(root, lines);
    await sqlBench(root, lines);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { name: 'store: journal append, rotation, sql latency', lines };
}

async function appendBench(root: string, lines: string[]): Promise<void> {
  // Events within one hour, so a pass is one journal file; built before timing.
  const start = Date.UTC(2026, 10, 21, 10, 0, 0) * 1000;
  const events = makeEvents(PASS_EVENTS, start, 10_000);
  const encode = lineEncoder<EventRecord>(EVENT_COLUMNS);
  const journalRates: number[] = [];
  const baselineRates: number[] = [];
  const rotatedRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['journal', 'baseline'] : ['baseline', 'journal'];
    for (const which of order) {
      if (which === 'baseline') {
        // The floor: the same bytes, encoded by the same encoder, joined and written with one fsync per 250 ms worth.
        const path = join(root, `baseline-${round}.csv`);
        const t0 = process.hrtime.bigint();
        const fd = openSync(path, 'a');
        let chunk: string[] = [];
        for (const e of events) {
          chunk.push(encode(e));
          if (chunk.length === 16_384) {
            writeSync(fd, chunk.join(''));
            chunk = [];
          }
        }
        writeSync(fd, chunk.join(''));
        fdatasyncSync(fd);
        closeSync(fd);
        baselineRates.push(rate(PASS_EVENTS, t0));
        rmSync(path);
        continue;
      }
      const layout = openDataDir(join(root, `data-${round}`), { create: true });
      const journal = await Journal.open<EventRecord>(layout, EVENTS, { writerId: 'bench' });
      const t0 = process.hrtime.bigint();
      for (const e of events) journal.append(e);
      journal.flush();
      journalRates.push(rate(PASS_EVENTS, t0));
      const t1 = process.hrtime.bigint();
      journal.rotate();
      await journal.settled();
      rotatedRates.push(rate(PASS_EVENTS, t1));
      await journal.close();
    }
  }
  const journal = median(journalRates);
  const baseline = median(baselineRates);
  const rotated = median(rotatedRates);
  lines.push(
    `append: ${ROUNDS} rounds × ${PASS_EVENTS.toLocaleString('en-US')} events, interleaved (median)`,
  );
  lines.push(`  bare fs.writeSync of the same CSV   ${fmt(baseline)} events/s`);
  lines.push(
    `  journal append + flush + fsync      ${fmt(journal)} events/s  (${(journal / baseline).toFixed(2)}× the bare write)`,
  );
  lines.push(
    `  rotation, journal CSV → Parquet     ${fmt(rotated)} events/s  (in a child process, beside the appends)`,
  );
  lines.push(
    `  ${journal >= 500_000 ? 'PASS' : 'MISS'}  journal append ≥ 500,000 events/s: ${fmt(journal)}`,
  );
  lines.push(
    `  ${rotated >= 500_000 ? 'PASS' : 'MISS'}  rotation ≥ 500,000 events/s: ${fmt(rotated)}`,
  );
}

async function sqlBench(root: string, lines: string[]): Promise<void> {
  const dataDir = join(root, 'sql');
  const layout = openDataDir(dataDir, { create: true });
  const duck = await Duck.open();
  const files = 20;
  const perFile = SQL_EVENTS / files;
  const kinds =
    "['get_peers','get_peers','get_peers','find_node','find_node','ping','announce_peer','sample_infohashes','malformed']";
  const select = EVENT_COLUMNS.map((c) => {
    switch (c.name) {
      case 'ts':
        return `make_timestamp(${Date.UTC(2026, 10, 14) * 1000}::BIGINT + (i * 60480)::BIGINT) AS ts`; // 7 days
      case 'kind':
        return `${kinds}[1 + (hash(i) % 9)::INTEGER] AS kind`;
      case 'target':
        return `md5((hash(i * 7) % 1000000)::VARCHAR)[1:40] AS target`; // 1 M infohashes
      case 'remote_ip':
        return `concat('10.', (hash(i * 3) % 100000) // 256 % 256, '.', hash(i * 3) % 256, '.1') AS remote_ip`; // 100 k addresses
      default:
        return `CAST(NULL AS ${SQL_TYPES[c.type]}) AS ${c.name}`;
    }
  }).join(', ');
  const t0 = process.hrtime.bigint();
  for (let f = 0; f < files; f++) {
    const day = new Date(Date.UTC(2026, 10, 14) + f * 8 * 3_600_000);
    const key = { date: day.toISOString().slice(0, 10), hour: day.toISOString().slice(11, 13) };
    const path = partPath(layout, EVENTS, 'bench', f + 1, key);
    await duck.run(
      `CREATE OR REPLACE TEMP TABLE g AS SELECT range AS i FROM range(${f * perFile}, ${(f + 1) * perFile})`,
    );
    await duck.run(
      `COPY (SELECT ${select} FROM g) TO '${ensureDir(path)}' (FORMAT parquet, COMPRESSION zstd)`,
    );
  }
  duck.close();
  lines.push(
    `sql: ${SQL_EVENTS.toLocaleString('en-US')} events (1 M infohashes, 100 k addresses, 7 days) in ${files} Parquet parts, built in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s`,
  );

  const reader = await StoreReader.open(dataDir);
  const direct = await Duck.open();
  const ours: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < SQL_RUNS; i++) {
      let t = process.hrtime.bigint();
      const result = await reader.query('SELECT kind, count(*) AS n FROM events GROUP BY kind');
      ours.push(seconds(t));
      t = process.hrtime.bigint();
      await direct.rows(
        `SELECT kind, count(*) AS n FROM read_parquet('${join(dataDir, 'events')}/*/*/*.parquet') GROUP BY kind`,
      );
      bare.push(seconds(t));
      if (i === 0) {
        const total = result.rows.reduce((sum, r) => sum + Number(r.n), 0);
        if (total !== SQL_EVENTS) throw new Error(`counted ${total}, expected ${SQL_EVENTS}`);
      }
    }
  } finally {
    reader.close();
    direct.close();
  }
  const oursMedian = median(ours);
  lines.push(
    `  dhtscope sql (views refreshed, count by kind)   ${(oursMedian * 1000).toFixed(0)} ms median of ${SQL_RUNS}`,
  );
  lines.push(
    `  DuckDB read_parquet glob, same query             ${(median(bare) * 1000).toFixed(0)} ms  (ours ${(oursMedian / median(bare)).toFixed(2)}×)`,
  );
  lines.push(
    `  ${oursMedian <= 1 ? 'PASS' : 'MISS'}  count by kind over 10 M events ≤ 1 s: ${(oursMedian * 1000).toFixed(0)} ms`,
  );
}

function ensureDir(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  return path;
}

function rate(n: number, t0: bigint): number {
  return n / seconds(t0);
}

function seconds(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

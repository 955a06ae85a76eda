import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listPartitionDates } from '../../src/store/files.ts';
import {
  Duck,
  EVENTS,
  type EventRecord,
  Journal,
  openDataDir,
  runRetention,
  StoreReader,
  SYSTEM_METRICS,
  type SystemMetrics,
} from '../../src/store/index.ts';
import { daySummarySql } from '../../src/store/retention.ts';
import { makeEvents } from '../helpers/events.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

/** Events on days 40, 35 and 1 days ago; metrics on days 10 and 2 days ago. */
async function populate(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'dhtscope-ret-'));
  roots.push(root);
  const dataDir = join(root, 'data');
  const layout = openDataDir(dataDir, { create: true });
  const journal = await Journal.open<EventRecord>(layout, EVENTS);
  for (const [daysAgo, seed] of [
    [40, 1],
    [35, 2],
    [1, 3],
  ] as const) {
    // 600 events over 10 minutes: enough repeats of the 2-byte targets for every summary count
    for (const e of makeEvents(600, (NOW - daysAgo * DAY_MS) * 1000, 1_000_000, seed, 0, 20)) {
      journal.append(e);
    }
  }
  await journal.close();
  const metrics = await Journal.open<SystemMetrics>(layout, SYSTEM_METRICS);
  for (const daysAgo of [10, 2]) {
    metrics.append({
      ts: (NOW - daysAgo * DAY_MS) * 1000,
      cpuPercent: 12.5,
      memoryMb: 200,
      heapMb: 80,
      networkBytesRecv: 1000,
      networkBytesSent: 500,
      queueDepth: 0,
      eventsPerSecond: 42,
      drops: 0,
    });
  }
  await metrics.close();
  return dataDir;
}

describe('store: retention', () => {
  it('folds expiring days into daily_summaries that match the raw events, then deletes them', async () => {
    const dataDir = await populate();
    const layout = openDataDir(dataDir, { create: false });
    const duck = await Duck.open();
    try {
      const day40 = new Date(NOW - 40 * DAY_MS).toISOString().slice(0, 10);
      const day35 = new Date(NOW - 35 * DAY_MS).toISOString().slice(0, 10);
      // What the raw events say, computed independently of the summary SQL.
      const reader = await StoreReader.open(dataDir);
      const raw = await reader.query(`
        SELECT strftime(ts, '%Y-%m-%d') AS day, count(*) AS total, count(DISTINCT target) AS hashes,
          count(DISTINCT remote_ip) AS ips, count(*) FILTER (WHERE kind = 'get_peers') AS get_peers,
          count(*) FILTER (WHERE kind = 'malformed') AS malformed, mode(country) AS top_country
        FROM events GROUP BY day ORDER BY day`);
      reader.close();

      const report = await runRetention(duck, layout, { eventsDays: 30, metricsDays: 7, now: NOW });
      assert.deepEqual(report.summarised, [day40, day35]);
      assert.deepEqual(report.deletedEventDays, [day40, day35]);
      assert.equal(report.deletedMetricDays.length, 1);
      assert.deepEqual(listPartitionDates(layout, EVENTS), [
        new Date(NOW - DAY_MS).toISOString().slice(0, 10),
      ]);
      assert.equal(listPartitionDates(layout, SYSTEM_METRICS).length, 1);

      const after = await StoreReader.open(dataDir);
      try {
        const { rows } = await after.query('SELECT * FROM daily_summaries ORDER BY date_utc');
        assert.equal(rows.length, 2);
        for (const [i, summary] of rows.entries()) {
          const expected = raw.rows[i]!;
          assert.equal(summary.date_utc, expected.day);
          assert.equal(summary.total_events, expected.total);
          assert.equal(summary.unique_hashes, expected.hashes);
          assert.equal(summary.unique_ips, expected.ips);
          assert.equal(summary.get_peers, expected.get_peers);
          assert.equal(summary.malformed, expected.malformed);
          assert.equal(summary.top_country, expected.top_country);
          assert.ok(Number(summary.multi_asn_hashes) > 0, 'multi-ASN hashes are counted');
        }
        const left = await after.query('SELECT count(*) AS n FROM events');
        assert.equal(Number(left.rows[0]!.n), 600, 'the recent day is untouched');
      } finally {
        after.close();
      }

      const again = await runRetention(duck, layout, { eventsDays: 30, metricsDays: 7, now: NOW });
      assert.deepEqual(
        again,
        { summarised: [], deletedEventDays: [], deletedMetricDays: [] },
        'idempotent',
      );
    } finally {
      duck.close();
    }
  });

  it('an interrupted run (summary written, partitions not yet deleted) finishes without a second summary', async () => {
    const dataDir = await populate();
    const layout = openDataDir(dataDir, { create: false });
    const duck = await Duck.open();
    try {
      const day40 = new Date(NOW - 40 * DAY_MS).toISOString().slice(0, 10);
      // Simulate the crash: the summary of day 40 is on disk, its partition still there.
      await duck.run(
        `COPY (${daySummarySql(layout, day40, NOW)}) TO '${layout.tableFile('daily_summaries')}' (FORMAT parquet)`,
      );
      const report = await runRetention(duck, layout, { eventsDays: 30, metricsDays: 7, now: NOW });
      assert.ok(!report.summarised.includes(day40));
      assert.ok(report.deletedEventDays.includes(day40));
      const [row] = await duck.rows(
        `SELECT count(*) AS n, count(DISTINCT date_utc) AS d FROM read_parquet('${layout.tableFile('daily_summaries')}')`,
      );
      assert.equal(Number(row!.n), 2);
      assert.equal(Number(row!.d), 2);
      assert.ok(!existsSync(join(layout.datasetDir(EVENTS), `date=${day40}`)));
    } finally {
      duck.close();
    }
  });

  it('refuses nonsense retention periods', async () => {
    const dataDir = await populate();
    const duck = await Duck.open();
    try {
      await assert.rejects(
        runRetention(duck, openDataDir(dataDir, { create: false }), {
          eventsDays: 0,
          metricsDays: 7,
          now: NOW,
        }),
        /eventsDays must be a whole number/,
      );
    } finally {
      duck.close();
    }
  });
});

/**
 * Hash behavior profiles over a real store: constructed infohashes written
 * through the journal, the step run as `compute` runs it, and the metrics
 * and labels read back from hash_behavior_profiles.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HASH_METRICS_DEFAULTS } from '../../src/analysis/hash-profiles/metrics.ts';
import { hashProfilesStep, metricsOfRead } from '../../src/analysis/hash-profiles/step.ts';
import { readOperatorColumns, withTargetKeys } from '../../src/analysis/operator-stream.ts';
import type { RunShared } from '../../src/analysis/step.ts';
import { EVENTS } from '../../src/store/datasets.ts';
import { Journal } from '../../src/store/journal.ts';
import { openDataDir } from '../../src/store/layout.ts';
import { StoreReader } from '../../src/store/reader.ts';
import type { EventRecord } from '../../src/store/schema.ts';
import { storeOfEvents } from '../helpers/events.ts';

const T0 = Date.parse('2026-01-05T00:00:00Z') * 1000;
const MIN = 60_000_000;
const hash = (c: string) => c.repeat(40);

const OBSERVED = hash('a'); // 1,100 lookups from 6 ASNs, never announced
const FLASH = hash('b'); // 60 events within 2 minutes, 30 addresses, 10 announces
const SCHEDULED = hash('c'); // one address every 30 min, 12 visits
const THIN = hash('d'); // 9 events: under the gate
const SWARM = hash('e'); // 25 peers, announces every 40 min ± random, over the day

function event(ts: number, ip: string, asn: number, kind: EventRecord['kind'], target?: string) {
  const e: EventRecord = {
    ts: Math.round(ts),
    sensorPort: 6881,
    sensorId: '00'.repeat(20),
    family: 4,
    remoteIp: ip,
    remotePort: 6881,
    kind,
    asn,
  };
  if (target !== undefined) e.target = target;
  return e;
}

function events(): EventRecord[] {
  const out: EventRecord[] = [];
  // The store's window: one day.
  out.push(event(T0, '10.9.9.9', 64999, 'ping'), event(T0 + 1440 * MIN, '10.9.9.9', 64999, 'ping'));
  for (let i = 0; i < 1100; i++) {
    const o = i % 6;
    out.push(event(T0 + 60 * MIN + i * 0.3 * MIN, `10.1.0.${o}`, 64510 + o, 'get_peers', OBSERVED));
  }
  for (let i = 0; i < 50; i++)
    out.push(event(T0 + 300 * MIN + i * 2_000_000, `10.2.0.${i % 30}`, 64520, 'get_peers', FLASH));
  for (let i = 0; i < 10; i++)
    out.push(event(T0 + 300 * MIN + i * 3_000_000, `10.2.0.${i}`, 64520, 'announce_peer', FLASH));
  // ± 2 % jitter, one round lost (an interval of two periods is still regular).
  for (let i = 0; i < 13; i++) {
    if (i === 6) continue;
    const jitter = ((i * 7) % 5) - 2;
    out.push(
      event(T0 + (30 * i + (jitter * 30) / 100) * MIN, '10.3.0.1', 64530, 'get_peers', SCHEDULED),
    );
  }
  // Growing gaps: no schedule.
  for (let i = 0; i < 9; i++)
    out.push(event(T0 + i * i * 7 * MIN, '10.4.0.1', 64540, 'get_peers', THIN));
  // Peers at scattered times (a fixed pseudo-random sequence), so the hash has no schedule.
  let x = 7;
  for (let p = 0; p < 25; p++) {
    for (let r = 0; r < 4; r++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const at = T0 + (x % 1400) * MIN;
      out.push(event(at, `10.5.0.${p}`, 64550, 'get_peers', SWARM));
      out.push(event(at + 2_000_000, `10.5.0.${p}`, 64550, 'announce_peer', SWARM));
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

describe('hash behavior profiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhtscope-hash-profiles-'));
  let rows: Map<string, Record<string, unknown>>;
  let summary = '';

  before(async () => {
    const layout = openDataDir(dir, { create: true });
    const journal = await Journal.open<EventRecord>(layout, EVENTS, {
      writerId: 'test',
      fsync: false,
    });
    for (const e of events()) journal.append(e);
    await journal.close();
    const reader = await StoreReader.open(dir);
    try {
      const result = await hashProfilesStep.run({ reader, config: {}, onProgress: () => {} });
      summary = result.summary;
      const table = await reader.query(
        'SELECT * EXCLUDE (first_seen, last_seen) FROM hash_behavior_profiles',
      );
      rows = new Map(table.rows.map((r) => [String(r.infohash), r]));
    } finally {
      reader.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const labels = (h: string) => String(rows.get(h)?.classifications ?? '').split(',');

  it('profiles only hashes with at least 10 events', () => {
    assert.deepEqual([...rows.keys()].sort(), [OBSERVED, FLASH, SCHEDULED, SWARM].sort());
    assert.match(summary, /^4 hashes/);
  });

  it('counts lookups, announces, addresses, ASNs and lifespans', () => {
    const o = rows.get(OBSERVED)!;
    assert.equal(Number(o.total_events), 1100);
    assert.equal(Number(o.lookup_count), 1100);
    assert.equal(Number(o.announce_count), 0);
    assert.equal(Number(o.unique_ips), 6);
    assert.equal(Number(o.unique_asns), 6);
    assert.equal(Number(o.lifespan_seconds), 0);
    assert.equal(Number(o.observer_score), 1);
    assert.equal(Number(o.duration_minutes), 329.7);
    const f = rows.get(FLASH)!;
    assert.equal(Number(f.total_events), 60);
    assert.equal(Number(f.announce_ratio), 0.1667);
    assert.equal(Number(f.unique_ips), 30);
    assert.equal(Number(f.lifespan_seconds), 27);
    // Addresses 10–29 never announce: 30 of the 60 events are their lookups.
    assert.equal(Number(f.observer_score), 0.5);
  });

  it('scores bursts and schedules', () => {
    assert.equal(Number(rows.get(FLASH)!.burst_score), 1);
    assert.equal(Number(rows.get(OBSERVED)!.burst_score), 0, 'steady interest is not a burst');
    assert.equal(Number(rows.get(SCHEDULED)!.periodicity_score), 1);
    assert.ok(Number(rows.get(SWARM)!.periodicity_score) < 0.7);
    assert.equal(
      Number(rows.get(OBSERVED)!.periodicity_score),
      0,
      'one long visit has no intervals',
    );
  });

  it('assigns every label that fits, with the signal score and the figures', () => {
    assert.deepEqual(labels(OBSERVED), ['observer_target', 'high_asn_interest', 'dead_swarm']);
    assert.equal(Number(rows.get(OBSERVED)!.signal_score), 3);
    assert.deepEqual(labels(FLASH), ['burst_activity', 'swarm_like']);
    assert.equal(Number(rows.get(FLASH)!.signal_score), 1);
    assert.deepEqual(labels(SCHEDULED), ['periodic_lookup_target']);
    assert.deepEqual(labels(SWARM), ['swarm_like']);
    assert.equal(Number(rows.get(SWARM)!.signal_score), 0);
    const why = JSON.parse(String(rows.get(OBSERVED)!.why)) as Record<string, string>;
    assert.deepEqual(Object.keys(why), ['observer_target', 'high_asn_interest', 'dead_swarm']);
    assert.equal(why.observer_target, '1,100 lookups ≥ 1,000, 0.0 % announces < 5 %');
    assert.equal(why.high_asn_interest, '6 ASNs ≥ 5, 6 addresses');
    assert.deepEqual(JSON.parse(String(rows.get(SCHEDULED)!.why)), {
      periodic_lookup_target:
        'periodicity 1.00 > 0.7: 11 of 11 intervals between visits regular, every ~31 min',
    });
  });

  it('gives the same rows from the operator reader’s columns, on this thread and on a worker', async () => {
    const reader = await StoreReader.open(dir);
    const text = async () =>
      JSON.stringify(
        (await reader.query('SELECT * FROM hash_behavior_profiles ORDER BY ALL')).rows,
        (_, v) => (typeof v === 'bigint' ? String(v) : v),
      );
    try {
      await hashProfilesStep.run({ reader, config: {}, onProgress: () => {} });
      const fromSql = await text();
      const read = withTargetKeys(await reader.withFreshViews((duck) => readOperatorColumns(duck)));
      const [window] = (
        await reader.query(
          'SELECT (epoch_us(max(ts)) - epoch_us(min(ts)))::DOUBLE AS span FROM events',
        )
      ).rows;
      const span = Number(window!.span);
      for (const onWorker of [false, true]) {
        const shared: RunShared = {
          begun: new Map([
            [hashProfilesStep, metricsOfRead(read, HASH_METRICS_DEFAULTS, span, onWorker)],
          ]),
          eventSpanUs: span,
        };
        await hashProfilesStep.run({ reader, config: {}, onProgress: () => {}, shared });
        assert.equal(await text(), fromSql, onWorker ? 'on a worker' : 'on this thread');
      }
    } finally {
      reader.close();
    }
  });

  it('takes thresholds from the config', async () => {
    const reader = await StoreReader.open(dir);
    try {
      await hashProfilesStep.run({
        reader,
        config: {
          hash_profiles: { observer_target: { minLookups: 2000 }, metrics: { minEvents: 5 } },
        },
        onProgress: () => {},
      });
      const table = await reader.query(
        'SELECT infohash, classifications FROM hash_behavior_profiles ORDER BY infohash',
      );
      const got = new Map(table.rows.map((r) => [String(r.infohash), String(r.classifications)]));
      assert.equal(got.get(OBSERVED), 'high_asn_interest,dead_swarm');
      assert.equal(got.get(THIN), '', 'profiled under a lower gate, no label');
    } finally {
      reader.close();
    }
  });
});

describe('hash metrics from the operator reader’s columns at the edges', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('agree with the SQL on windows that end exactly on an event, ties and gaps of exactly a visit', async () => {
    const W = HASH_METRICS_DEFAULTS.burstWindowUs;
    const GAP = HASH_METRICS_DEFAULTS.visitGapUs;
    const out: EventRecord[] = [
      event(T0, '10.9.9.9', 64999, 'ping'),
      event(T0 + 1440 * MIN, '10.9.9.9', 64999, 'ping'),
    ];
    // 20 events over exactly one window (its last event on the edge): the first event's window
    // ahead and the last one's behind hold all 20, the threshold, so 2 of 20 are dense.
    for (let i = 0; i < 20; i++)
      out.push(event(T0 + MIN + (i * W) / 19, `10.6.0.${i}`, 64560, 'get_peers', hash('1')));
    // 19 spread the same way and one just past the edge: never 20 in one window.
    for (let i = 0; i < 19; i++)
      out.push(event(T0 + 60 * MIN + (i * W) / 18, `10.6.1.${i}`, 64561, 'get_peers', hash('2')));
    out.push(event(T0 + 60 * MIN + W + 1, '10.6.1.99', 64561, 'get_peers', hash('2')));
    // Ties: bursts of events at the same microsecond, visits exactly a visit gap apart,
    // announces from some addresses, an address without an ASN.
    for (let v = 0; v < 12; v++)
      for (let k = 0; k < 4; k++)
        out.push(
          event(
            T0 + 120 * MIN + v * (k === 3 ? GAP : 2 * GAP),
            `10.6.2.${k}`,
            k === 2 ? (undefined as unknown as number) : 64562 + k,
            k === 1 ? 'announce_peer' : 'get_peers',
            hash('3'),
          ),
        );
    const reader = await storeOfEvents(out, roots, 'dhtscope-hash-edges-');
    const text = async () =>
      JSON.stringify(
        (await reader.query('SELECT * FROM hash_behavior_profiles ORDER BY ALL')).rows,
        (_, v) => (typeof v === 'bigint' ? String(v) : v),
      );
    try {
      await hashProfilesStep.run({ reader, config: {}, onProgress: () => {} });
      const fromSql = await text();
      const rows = (
        await reader.query('SELECT infohash, burst_score FROM hash_behavior_profiles ORDER BY 1')
      ).rows;
      assert.deepEqual(
        rows.map((r) => [String(r.infohash)[0], Number(r.burst_score)]),
        [
          ['1', 0.1],
          ['2', 0],
          ['3', Number(rows[2]!.burst_score)],
        ],
        'the window includes an event exactly W later, and no more',
      );
      const read = withTargetKeys(await reader.withFreshViews((duck) => readOperatorColumns(duck)));
      const span = 1440 * MIN;
      const shared: RunShared = {
        begun: new Map([[hashProfilesStep, metricsOfRead(read, HASH_METRICS_DEFAULTS, span)]]),
        eventSpanUs: span,
      };
      await hashProfilesStep.run({ reader, config: {}, onProgress: () => {}, shared });
      assert.equal(await text(), fromSql);
    } finally {
      reader.close();
    }
  });
});

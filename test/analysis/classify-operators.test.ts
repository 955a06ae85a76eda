import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { classifyTracks } from '../../src/analysis/classify-operators.ts';
import type { OperatorTrack } from '../../src/analysis/operator-features.ts';
import { computeOperatorProfiles } from '../../src/analysis/operator-profiles.ts';
import { sweepStats } from '../../src/analysis/sweep.ts';
import {
  EVENTS,
  type EventRecord,
  Journal,
  openDataDir,
  StoreReader,
} from '../../src/store/index.ts';
import {
  burstProber,
  catalogue,
  dhtNode,
  normalClient,
  periodicMonitor,
  prefixWalker,
  Sim,
  sampleCrawler,
  swarmPeer,
  sweep,
  sybilFleet,
} from './sim.ts';

const MIN = 60_000_000;
const HOUR = 60 * MIN;
const DURATION = 6 * HOUR;

interface Labelled {
  label: string;
  track: OperatorTrack;
}

/** A population of every class, as the sensor would see it (actors it never sees are left out). */
function population(seed: number): Labelled[] {
  const sim = new Sim(seed);
  const hashes = catalogue(sim);
  const out: Labelled[] = [];
  let host = 0;
  const add = (label: string, asn: number, plan: ReturnType<typeof dhtNode>) => {
    host++;
    const track = sim.observe(`10.${asn % 256}.${host >> 8}.${host & 255}`, asn, plan);
    if (track.events.length > 0) out.push({ label, track });
  };
  for (let i = 0; i < 200; i++)
    add('normal_client', 64500 + (i % 3), normalClient(sim, hashes, DURATION));
  for (let i = 0; i < 40; i++) add('dht_node', 64510, dhtNode(sim, DURATION));
  for (let i = 0; i < 6; i++) {
    // Crawlers over the whole keyspace and over a quarter of it, both directions, 2–10 s a step.
    const quarter = i % 2 === 0;
    add(
      'sequential_crawler',
      64500,
      sweep(sim, quarter ? 0.5 : 0, quarter ? 0.75 : 1, 2000, {
        start: MIN * i,
        gapUs: (2 + i * 1.5) * 1e6,
        descending: i % 3 === 0,
        kind: i % 2 === 0 ? 'get_peers' : 'find_node',
      }),
    );
    // Walks placed where the sensor sees them: just past a sensor identity's prefix.
    const near = Number.parseInt(sim.sensors[i]!.slice(0, 3), 16) - 10;
    add('prefix_walker', 64520, prefixWalker(sim, near, 40, 10 * MIN + i * MIN));
    add('sample_infohashes_crawler', 64521, sampleCrawler(sim, DURATION));
    add('periodic_monitor', 64521, periodicMonitor(sim, 12, HOUR, DURATION));
    add('burst_prober', 64522, burstProber(sim, 3, DURATION));
    add('sybil_fleet', 64522, sybilFleet(sim, DURATION));
  }
  for (let s = 0; s < 4; s++) {
    // Swarm hashes that the sensor sees (a hash it never sees hides its swarm entirely).
    let hash = sim.id();
    while (sim.receiver(hash) === undefined) hash = sim.id();
    for (let p = 0; p < 5; p++) add('swarm_peer', 64500 + p, swarmPeer(sim, hash, DURATION));
  }
  for (let c = 0; c < 2; c++) {
    // Four members in three networks split [0, 1) (or [0.25, 0.75)), start within a minute, same rate.
    const [lo, hi] = c === 0 ? [0, 1] : [0.25, 0.75];
    for (let m = 0; m < 4; m++) {
      const from = lo + ((hi - lo) * m) / 4;
      add(
        'distributed_campaign',
        64530 + (m % 3),
        sweep(sim, from, from + (hi - lo) / 4, 800, {
          start: 5 * MIN + sim.rng.next() * MIN + c * 20 * MIN,
          gapUs: 6e6 + c * 1e6,
        }),
      );
    }
  }
  return out;
}

describe('analysis: classify operators', () => {
  for (const seed of [1, 2]) {
    it(`finds every class in a thinned, jittered population (seed ${seed})`, () => {
      const people = population(seed);
      const verdicts = classifyTracks(people.map((p) => p.track));
      const counts = new Map<string, { support: number; hit: number; predicted: number }>();
      const entry = (label: string) => {
        const e = counts.get(label) ?? { support: 0, hit: 0, predicted: 0 };
        counts.set(label, e);
        return e;
      };
      const misses: string[] = [];
      people.forEach((p, i) => {
        const v = verdicts[i]!;
        assert.equal(v.remoteIp, p.track.remoteIp);
        entry(p.label).support++;
        entry(v.label).predicted++;
        if (v.label === p.label) entry(p.label).hit++;
        else misses.push(`${p.label} → ${v.label}: ${v.why}`);
      });
      for (const label of [
        'sequential_crawler',
        'prefix_walker',
        'sample_infohashes_crawler',
        'periodic_monitor',
        'burst_prober',
        'sybil_fleet',
        'swarm_peer',
        'distributed_campaign',
        'dht_node',
        'normal_client',
      ]) {
        const e = entry(label);
        assert.ok(e.support > 0, `no ${label} was seen`);
        const recall = e.hit / e.support;
        const precision = e.predicted === 0 ? 0 : e.hit / e.predicted;
        assert.ok(
          recall >= 0.9 && precision >= 0.9,
          `${label}: recall ${recall}, precision ${precision}\n${misses.join('\n')}`,
        );
      }
      const normal = entry('normal_client');
      assert.ok(normal.support >= 190);
      const flagged = people.filter(
        (p, i) => p.label === 'normal_client' && verdicts[i]!.label !== 'normal_client',
      ).length;
      assert.ok(flagged <= 2, `${flagged} normal clients flagged:\n${misses.join('\n')}`);
    });
  }

  it('groups a campaign, names its members and explains every class', () => {
    const people = population(3);
    const verdicts = classifyTracks(people.map((p) => p.track));
    const groups = new Map<string, string[]>();
    verdicts.forEach((v, i) => {
      assert.ok(v.why.length > 10, `empty why for ${v.label}`);
      assert.ok(v.confidence > 0 && v.confidence <= 1);
      if (v.label === 'distributed_campaign') {
        assert.equal(people[i]!.label, 'distributed_campaign');
        assert.ok(v.group !== undefined);
        groups.set(v.group, [...(groups.get(v.group) ?? []), v.remoteIp]);
      } else assert.equal(v.group, undefined);
    });
    assert.equal(groups.size, 2, [...groups.keys()].join(', '));
    for (const members of groups.values()) assert.ok(members.length >= 3, members.join(', '));
    const crawler = verdicts.find((v) => v.label === 'sequential_crawler')!;
    assert.match(
      crawler.why,
      /^\d+ targets in (ascending|descending) order \(\d+ % monotone\) over \d/,
    );
  });

  it('keeps a sweep monotone under any thinning, and random order far from it', () => {
    const sim = new Sim(4, 0);
    const plan = sweep(sim, 0, 1, 500, { start: 0, gapUs: 3e6 });
    const thinned = plan
      .filter(() => sim.rng.chance(0.3))
      .map((q) => ({ ts: q.at, kind: q.kind, target: q.target }));
    assert.equal(sweepStats(thinned)!.monotone, 1);
    const shuffled = thinned.map((e) => ({ ...e, target: sim.id() }));
    assert.ok(sweepStats(shuffled)!.monotone < 0.7);
  });

  it('does not join independent crawlers of the same range into a campaign', () => {
    const sim = new Sim(5);
    const tracks = [0, 1, 2].map((i) =>
      sim.observe(`10.9.0.${i}`, 64600 + i, sweep(sim, 0, 1, 2000, { start: i * MIN, gapUs: 5e6 })),
    );
    const verdicts = classifyTracks(tracks);
    assert.deepEqual(
      verdicts.map((v) => v.label),
      ['sequential_crawler', 'sequential_crawler', 'sequential_crawler'],
    );
  });

  it('calls a monitor with a long watch list a monitor, not a burst prober', () => {
    // 60 hashes a round, 0.5 s apart: 30 s of dense lookups every 3 h. Seen in full (no
    // thinning), each round crosses the burst threshold; the schedule must win.
    const sim = new Sim(21);
    const plan = periodicMonitor(sim, 60, 3 * HOUR, 24 * HOUR).map((p, i) => ({
      ...p,
      at: p.at - (i % 60) * 1.5e6,
    }));
    const track: OperatorTrack = {
      remoteIp: '10.9.9.9',
      asn: 64599,
      events: plan.map((p) => ({
        ts: 1.7e15 + p.at,
        kind: p.kind,
        target: p.target,
        remoteId: p.id,
      })),
    };
    const [verdict] = classifyTracks([track]);
    assert.equal(verdict!.label, 'periodic_monitor', verdict!.why);
  });

  it('takes overrides per detector', () => {
    const sim = new Sim(6);
    const track = sim.observe('10.9.0.9', 1, sweep(sim, 0, 1, 2000, { start: 0, gapUs: 5e6 }));
    assert.equal(classifyTracks([track])[0]!.label, 'sequential_crawler');
    assert.notEqual(
      classifyTracks([track], { sweep: { minTargets: 100_000 } })[0]!.label,
      'sequential_crawler',
    );
  });
});

describe('analysis: operator_profiles over a store', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('reads events, classifies each address and writes tables/operator_profiles.parquet', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dhtscope-profiles-'));
    roots.push(root);
    const layout = openDataDir(join(root, 'data'), { create: true });
    const sim = new Sim(7);
    const hashes = catalogue(sim);
    const tracks: OperatorTrack[] = [
      sim.observe('10.1.0.1', 64501, sweep(sim, 0, 1, 2000, { start: 0, gapUs: 4e6 })),
      sim.observe('10.1.0.2', 64502, sampleCrawler(sim, 2 * HOUR)),
      ...Array.from({ length: 5 }, (_, i) =>
        sim.observe(`10.2.0.${i}`, 64503, normalClient(sim, hashes, 6 * HOUR)),
      ),
    ];
    const journal = await Journal.open<EventRecord>(layout, EVENTS);
    let events = 0;
    for (const t of tracks) {
      for (const e of t.events) {
        journal.append({
          ts: e.ts,
          sensorPort: 6881,
          sensorId: e.sensorId!,
          family: 4,
          remoteIp: t.remoteIp,
          remotePort: 6881,
          kind: e.kind,
          ...(e.remoteId === undefined ? {} : { remoteId: e.remoteId }),
          ...(e.target === undefined ? {} : { target: e.target }),
          ...(e.txid === undefined ? {} : { txid: String(e.txid) }),
          asn: t.asn!,
          org: 'Org, "quoted"',
          country: 'DE',
        });
        events++;
      }
    }
    // A response is not a query and must not count.
    journal.append({
      ts: tracks[0]!.events[0]!.ts,
      sensorPort: 6881,
      sensorId: 'aa',
      family: 4,
      remoteIp: '10.1.0.1',
      remotePort: 6881,
      kind: 'response',
    });
    await journal.close();

    const reader = await StoreReader.open(layout.root);
    try {
      const progress: number[] = [];
      const result = await computeOperatorProfiles(reader, {
        onProgress: (done) => progress.push(done),
      });
      assert.equal(result.rows, 7);
      assert.equal(result.byClass.sequential_crawler, 1);
      assert.equal(result.byClass.sample_infohashes_crawler, 1);
      assert.equal(result.byClass.normal_client, 5);
      assert.equal(progress.at(-1), events);

      const { rows } = await reader.query(
        'SELECT remote_ip, asn, org, country, queries, class, monotone, group_id, epoch_us(first_seen) AS first_us, why FROM operator_profiles ORDER BY remote_ip',
      );
      assert.equal(rows.length, 7);
      const crawler = rows.find((r) => r.remote_ip === '10.1.0.1')!;
      assert.equal(crawler.class, 'sequential_crawler');
      assert.equal(Number(crawler.queries), tracks[0]!.events.length);
      assert.equal(Number(crawler.asn), 64501);
      assert.equal(crawler.org, 'Org, "quoted"');
      assert.equal(crawler.monotone, 1);
      assert.equal(crawler.group_id, null);
      assert.equal(Number(crawler.first_us), tracks[0]!.events[0]!.ts);
      // Written once more over the same store, by two worker threads each reading half the
      // addresses: the file is replaced, not appended to, and holds the same rows in the same order.
      const digest = async () =>
        (
          await reader.query(
            "SELECT count(*)::INTEGER AS n, string_agg(remote_ip || ' ' || class || ' ' || why, '|' ORDER BY remote_ip) AS text FROM operator_profiles",
          )
        ).rows[0]!;
      const oneThread = await digest();
      const shardProgress: number[] = [];
      await computeOperatorProfiles(reader, {
        workers: 2,
        onProgress: (done) => shardProgress.push(done),
      });
      const again = await digest();
      assert.equal(again.n, 7);
      assert.equal(again.text, oneThread.text);
      assert.equal(shardProgress.at(-1), events, 'both shards report their progress');
    } finally {
      reader.close();
    }
  });
});

/**
 * Coordination, clustering and campaigns: the sketches and the scores on
 * their own, then the co-appearance step over constructed events whose
 * answer is known (networks in lockstep vs networks on their own clocks).
 * The lab runs (test/lab) check the clusters against the lab's fleets.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { dayRuns, groupCampaigns } from '../../src/analysis/coordination/campaigns.ts';
import {
  buildClusters,
  CLUSTERING_DEFAULTS,
  type ClusterCandidate,
  candidatePairs,
} from '../../src/analysis/coordination/clustering.ts';
import { coordinationStep } from '../../src/analysis/coordination/co-appearance-step.ts';
import {
  estimateJaccard,
  exactJaccard,
  lshCandidates,
  minhashSignatures,
} from '../../src/analysis/coordination/minhash.ts';
import {
  type BehaviorFeatures,
  behaviorSimilarity,
  timingSimilarity,
} from '../../src/analysis/coordination/similarity.ts';
import { Rng } from '../../src/lab/rng.ts';
import { scoreGroups } from '../../src/lab/score-groups.ts';
import type { EventRecord, StoreReader } from '../../src/store/index.ts';
import { getPeersEvent, storeOfEvents } from '../helpers/events.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** Two sets of `size` elements sharing `shared` of them. */
function pair(rng: Rng, size: number, shared: number): [number[], number[]] {
  const common = Array.from({ length: shared }, () => rng.uint32());
  const a = [...common, ...Array.from({ length: size - shared }, () => rng.uint32())];
  const b = [...common, ...Array.from({ length: size - shared }, () => rng.uint32())];
  return [a, b];
}

describe('MinHash and LSH', () => {
  it('estimates Jaccard within 3 standard errors', () => {
    const rng = new Rng(7);
    for (const shared of [0, 50, 100, 150, 200]) {
      const [a, b] = pair(rng, 200, shared);
      const sig = minhashSignatures([a, b]);
      const exact = exactJaccard(a, b);
      const estimate = estimateJaccard(sig, 0, 1);
      const se = Math.sqrt((exact * (1 - exact)) / 64);
      assert.ok(
        Math.abs(estimate - exact) <= 3 * se + 1e-9,
        `shared ${shared}: exact ${exact.toFixed(3)}, estimate ${estimate}`,
      );
    }
  });

  it('makes candidates of similar sets and rarely of dissimilar ones', () => {
    const rng = new Rng(11);
    const sets: number[][] = [];
    for (let i = 0; i < 50; i++) sets.push(...pair(rng, 100, 90)); // J ≈ 0.82: pairs 2i, 2i+1
    for (let i = 0; i < 50; i++) sets.push(...pair(rng, 100, 10)); // J ≈ 0.05
    const sig = minhashSignatures(sets);
    const found = new Set(lshCandidates(sig, sets.length).map(([a, b]) => `${a} ${b}`));
    const similar = Array.from({ length: 50 }, (_, i) => `${2 * i} ${2 * i + 1}`);
    const dissimilar = Array.from({ length: 50 }, (_, i) => `${100 + 2 * i} ${101 + 2 * i}`);
    assert.ok(similar.filter((p) => found.has(p)).length >= 49, 'similar pairs found');
    assert.ok(dissimilar.filter((p) => found.has(p)).length <= 2, 'dissimilar pairs left out');
    assert.ok(found.size < 200, `${found.size} candidates of ${(100 * 99) / 2} pairs`);
  });

  it('keeps the empty set out of every bucket', () => {
    const sig = minhashSignatures([[], [], [1, 2, 3]]);
    assert.deepEqual(lshCandidates(sig, 3), []);
  });
});

const monitor: BehaviorFeatures = {
  class: 'periodic_monitor',
  getPeersShare: 1,
  announceShare: 0,
  findNodeShare: 0,
  pingShare: 0,
  sampleInfohashesShare: 0,
  ratePerHour: 6,
  targetsPerQuery: 0.05,
};

describe('similarity', () => {
  it('scores identical behavior 1 and a different tool lower', () => {
    assert.equal(behaviorSimilarity(monitor, monitor), 1);
    const sampler = {
      ...monitor,
      class: 'sample_infohashes_crawler',
      getPeersShare: 0.1,
      sampleInfohashesShare: 0.9,
      ratePerHour: 600,
      targetsPerQuery: 1,
    };
    assert.ok(behaviorSimilarity(monitor, sampler) < 0.3);
  });

  it('scores hourly activity by cosine: same hours 1, disjoint hours 0', () => {
    const a = new Map([
      [1, 10],
      [2, 20],
    ]);
    assert.ok(Math.abs(timingSimilarity(a, a) - 1) < 1e-12);
    assert.equal(timingSimilarity(a, new Map([[3, 5]])), 0);
  });
});

function candidate(ip: string, asn: number, hashes: number[], extra = {}): ClusterCandidate {
  return {
    remoteIp: ip,
    asn,
    features: monitor,
    hashes,
    lookups: hashes.length * 10,
    firstUs: 0,
    lastUs: 1,
    ...extra,
  };
}

describe('operator clusters', () => {
  const rng = new Rng(3);
  const watchList = Array.from({ length: 40 }, () => rng.uint32());
  const sameHours = new Map([
    [100, 4],
    [106, 4],
    [112, 4],
  ]);
  const candidates = [
    candidate('10.1.0.1', 64501, watchList),
    candidate('10.2.0.1', 64502, watchList.slice(0, 38)),
    candidate('10.3.0.1', 64503, watchList.slice(2)),
    // The same list, but never at the same hours: an unrelated watcher of the same torrents.
    candidate('10.4.0.1', 64504, watchList),
    // Its own list.
    candidate(
      '10.5.0.1',
      64505,
      Array.from({ length: 40 }, () => rng.uint32()),
    ),
    // Two halves of one sweep: no shared hash, joined by the campaign geometry.
    candidate('10.6.0.1', 64506, [1, 2, 3], { groupId: 'campaign:10.6.0.1' }),
    candidate('10.7.0.1', 64507, [4, 5, 6], { groupId: 'campaign:10.6.0.1' }),
  ];
  const hourly = new Map(
    ['10.1.0.1', '10.2.0.1', '10.3.0.1', '10.5.0.1'].map((ip) => [ip, sameHours]),
  );
  hourly.set('10.4.0.1', new Map([[103, 12]]));
  hourly.set('10.6.0.1', new Map([[200, 50]]));
  hourly.set('10.7.0.1', new Map([[201, 50]]));

  it('joins overlapping watch lists acting at the same hours, and split sweeps', () => {
    const clusters = buildClusters(candidates, candidatePairs(candidates), hourly);
    assert.equal(clusters.length, 2, JSON.stringify(clusters, null, 1));
    const [watchers, sweep] = clusters;
    assert.deepEqual(watchers!.members, ['10.1.0.1', '10.2.0.1', '10.3.0.1']);
    assert.deepEqual(watchers!.asns, [64501, 64502, 64503]);
    assert.equal(watchers!.link, 'hash_overlap');
    assert.ok(watchers!.coordinationScore > 0.9, `${watchers!.coordinationScore}`);
    assert.match(watchers!.why, /3 addresses in 3 networks look up the same/);
    assert.deepEqual(sweep!.members, ['10.6.0.1', '10.7.0.1']);
    assert.equal(sweep!.link, 'campaign_geometry');
  });

  it('leaves them apart when the overlap threshold is above their Jaccard', () => {
    const strict = { ...CLUSTERING_DEFAULTS, minJaccard: 0.99 };
    const clusters = buildClusters(candidates, candidatePairs(candidates, strict), hourly, strict);
    assert.deepEqual(
      clusters.map((c) => c.link),
      ['campaign_geometry'],
    );
  });
});

describe('campaigns', () => {
  it('joins members through a profile campaign or a cluster; kind is the most specific', () => {
    const groups = groupCampaigns([
      { remoteIp: '10.0.0.2', class: 'periodic_monitor', why: '', clusterId: 'oc-1' },
      { remoteIp: '10.0.0.1', class: 'normal_client', why: '', clusterId: 'oc-1' },
      { remoteIp: '10.0.0.3', class: 'distributed_campaign', why: '', groupId: 'g' },
      { remoteIp: '10.0.0.4', class: 'distributed_campaign', why: '', groupId: 'g' },
      { remoteIp: '10.0.0.5', class: 'normal_client', why: '' },
    ]);
    const summary = groups.map((g) => [g.kind, g.members.map((m) => m.remoteIp)]);
    assert.deepEqual(summary, [
      ['scheduled_monitoring', ['10.0.0.1', '10.0.0.2']],
      ['distributed_campaign', ['10.0.0.3', '10.0.0.4']],
      ['persistent_observer', ['10.0.0.5']],
    ]);
    assert.match(groups[0]!.campaignId, /^sm-[0-9a-f]{10}$/);
    const again = groupCampaigns([
      { remoteIp: '10.0.0.1', class: 'normal_client', why: '', clusterId: 'oc-9' },
      { remoteIp: '10.0.0.2', class: 'periodic_monitor', why: '', clusterId: 'oc-9' },
    ]);
    assert.equal(again[0]!.campaignId, groups[0]!.campaignId, 'same members, same id');
  });

  it('writes active days as runs', () => {
    const day = (iso: string) => Date.parse(iso) / 86_400_000;
    assert.equal(
      dayRuns([day('2026-01-07'), day('2026-01-05'), day('2026-01-06'), day('2026-01-09')]),
      '2026-01-05…2026-01-07,2026-01-09',
    );
  });
});

describe('fleet scores', () => {
  it('matches each fleet to the cluster sharing most members', () => {
    const report = scoreGroups(
      [
        { actor: 'a', label: 'distributed_campaign', members: ['1', '2', '3', '4'] },
        { actor: 'b', label: 'periodic_monitor', members: ['5', '6'] },
      ],
      [
        { id: 'x', members: ['1', '2', '3', '9'] },
        { id: 'y', members: ['7', '8'] },
      ],
      new Set(['1', '2', '3', '5', '6', '7', '8', '9']),
    );
    assert.deepEqual(
      report.groups.map((g) => [g.actor, g.seen, g.found, g.recall, g.precision]),
      [
        ['a', 3, 3, 1, 0.75],
        ['b', 2, 0, 0, null],
      ],
    );
    assert.deepEqual(report.spurious, ['y']);
    assert.equal(report.meanRecall, 0.5);
  });
});

const MIN = 60_000_000;
const START = Date.UTC(2026, 0, 5) * 1000;

function lookup(ts: number, ip: string, asn: number, target: string): EventRecord {
  return getPeersEvent(ts, ip, target, {
    txid: (Math.round(ts / 1e6) % 65521).toString(16).padStart(4, '0'),
    asn,
  });
}

describe('co-appearance over constructed events', () => {
  let reader: StoreReader;
  before(async () => {
    const rng = new Rng(5);
    const events: EventRecord[] = [];
    const inStep = 'a'.repeat(40);
    const ownClocks = 'b'.repeat(40);
    const shared = ['c', 'd', 'e'].map((c) => c.repeat(40));
    for (let round = 0; round < 24; round++) {
      // Four networks look up `inStep` within seconds of each other, every 30 min.
      for (let n = 0; n < 4; n++)
        events.push(lookup(START + round * 30 * MIN + n * 5e6, `10.${n}.0.1`, 64510 + n, inStep));
      // Four networks look up `ownClocks` at random times over the same 12 h.
      for (let n = 0; n < 4; n++)
        events.push(
          lookup(START + rng.next() * 24 * 30 * MIN, `10.${n}.0.2`, 64520 + n, ownClocks),
        );
    }
    // Two networks share three rarely asked hashes (a pair), looked up a few times each.
    for (const [i, h] of shared.entries())
      for (const n of [0, 1, 2])
        for (let k = 0; k < 4; k++)
          events.push(
            lookup(START + (i * 60 + k * 10) * MIN + n * 1e6, `10.9.${n}.1`, 64530 + n, h),
          );
    reader = await storeOfEvents(events, roots, 'dhtscope-coordination-');
    await coordinationStep.run({ reader, config: {}, onProgress: () => {} });
  });
  after(() => reader.close());

  it('scores networks in lockstep near 1 and networks on their own clocks near 0', async () => {
    const rows = (
      await reader.query(
        'SELECT left(infohash, 1) AS h, asns, visits, coordination_score, why FROM coordination ORDER BY h',
      )
    ).rows;
    const byHash = new Map(rows.map((r) => [String(r.h), r]));
    const inStep = byHash.get('a')!;
    const ownClocks = byHash.get('b')!;
    assert.equal(Number(inStep.asns), 4);
    assert.equal(Number(inStep.visits), 96);
    assert.ok(Number(inStep.coordination_score) >= 0.9, String(inStep.why));
    assert.ok(Number(ownClocks.coordination_score) <= 0.3, String(ownClocks.why));
    assert.match(String(inStep.why), /4 networks, 96 visits/);
  });

  it('pairs the networks that share rarely asked hashes', async () => {
    const pairs = (
      await reader.query(
        'SELECT asn_a, asn_b, shared_hashes FROM coordination_pairs WHERE asn_a >= 64530 ORDER BY asn_a, asn_b',
      )
    ).rows.map((r) => [Number(r.asn_a), Number(r.asn_b), Number(r.shared_hashes)]);
    assert.deepEqual(pairs, [
      [64530, 64531, 3],
      [64530, 64532, 3],
      [64531, 64532, 3],
    ]);
  });
});

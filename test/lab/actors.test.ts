import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BEHAVIORS, behaviorNamed } from '../../src/lab/actors/index.ts';
import type { ActorContext, Behavior, PlannedQuery } from '../../src/lab/behavior.ts';
import { Catalogue } from '../../src/lab/catalogue.ts';
import { Rng } from '../../src/lab/rng.ts';
import { toHex } from '../../src/protocol/hex.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DURATION = 4 * HOUR;

interface Run {
  queries: PlannedQuery[];
  context: ActorContext;
  params: unknown;
  behavior: Behavior<unknown>;
}

function contextFor(
  behavior: Behavior<unknown>,
  params: unknown,
  seed: number,
  durationMs: number,
): ActorContext {
  const addresses = Array.from({ length: behavior.addressesFor(params) }, (_, i) => ({
    ip: `127.10.0.${i + 1}`,
    port: 6881 + i,
  }));
  return { rng: new Rng(seed), durationMs, addresses, catalogue: new Catalogue(seed, 5000, 1) };
}

function run(
  name: string,
  raw: Record<string, unknown> = {},
  seed = 1,
  durationMs = DURATION,
): Run {
  const behavior = behaviorNamed(name);
  assert.ok(behavior, `no behavior ${name}`);
  const params = behavior.params.parse(raw);
  const context = contextFor(behavior, params, seed, durationMs);
  return { queries: [...behavior.plan(context, params)], context, params, behavior };
}

function fingerprint(queries: PlannedQuery[]): string {
  return queries
    .map((q) =>
      [
        q.at,
        q.from,
        toHex(q.nodeId),
        q.method,
        toHex(q.target),
        q.txid === undefined ? '' : toHex(q.txid),
        q.version === undefined ? '' : toHex(q.version),
        q.idFromDestination ?? '',
        q.fanout ?? '',
      ].join(' '),
    )
    .join('\n');
}

const hexOf = (q: PlannedQuery) => toHex(q.target);
/** Map.groupBy, which the es2023 lib does not type. */
function groupBy<K>(queries: PlannedQuery[], key: (q: PlannedQuery) => K): Map<K, PlannedQuery[]> {
  const groups = new Map<K, PlannedQuery[]>();
  for (const q of queries) {
    const k = key(q);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [q]);
    else group.push(q);
  }
  return groups;
}
const byFrom = (queries: PlannedQuery[]) => groupBy(queries, (q) => q.from);

describe('every behavior, default params, 4 h', () => {
  it('has a unique name and is found by it', () => {
    const names = BEHAVIORS.map((b) => b.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(names.length, 11);
    for (const name of names) assert.equal(behaviorNamed(name)?.name, name);
    assert.equal(behaviorNamed('no_such_behavior'), undefined);
  });

  for (const behavior of BEHAVIORS) {
    describe(behavior.name, () => {
      it('accepts {} and rejects unknown params', () => {
        assert.ok(behavior.params.safeParse({}).success);
        assert.equal(behavior.params.safeParse({ noSuchParam: 1 }).success, false);
      });

      it('plans valid queries in time order, inside the duration', () => {
        const { queries, context } = run(behavior.name);
        assert.ok(queries.length >= 10, `only ${queries.length} queries`);
        let last = 0;
        for (const q of queries) {
          assert.ok(Number.isFinite(q.at) && q.at >= last, `at ${q.at} after ${last}`);
          assert.ok(q.at < context.durationMs);
          last = q.at;
          assert.ok(Number.isInteger(q.from) && q.from >= 0 && q.from < context.addresses.length);
          assert.equal(q.nodeId.length, 20);
          assert.equal(q.target.length, 20);
          if (q.version !== undefined) assert.equal(q.version.length, 4);
          if (q.txid !== undefined) assert.ok(q.txid.length >= 1 && q.txid.length <= 8);
        }
      });

      it('is deterministic for a seed and differs for another', () => {
        const once = fingerprint(run(behavior.name).queries);
        assert.equal(fingerprint(run(behavior.name).queries), once);
        assert.notEqual(fingerprint(run(behavior.name, {}, 2).queries), once);
      });

      it('ends its plan at a short duration', () => {
        const { queries } = run(behavior.name, {}, 1, 20 * MINUTE);
        for (const q of queries) assert.ok(q.at < 20 * MINUTE);
      });
    });
  }
});

describe('sequential_crawler', () => {
  it('sweeps 2000 distinct targets in strictly ascending order, 1 per 2–10 s', () => {
    const { queries } = run('sequential_crawler');
    assert.equal(queries.length, 2000);
    for (let i = 1; i < queries.length; i++) {
      assert.ok(hexOf(queries[i]!) > hexOf(queries[i - 1]!), `target ${i} not above the previous`);
      const gap = queries[i]!.at - queries[i - 1]!.at;
      assert.ok(gap >= 2000 && gap <= 10_000, `gap ${gap}`);
    }
    assert.equal(new Set(queries.map((q) => toHex(q.nodeId))).size, 1);
    assert.ok(queries.every((q) => q.method === 'get_peers'));
  });

  it('sweeps descending inside a hex range with find_node', () => {
    const { queries } = run('sequential_crawler', {
      from: '8',
      to: 'c',
      direction: 'descending',
      method: 'find_node',
      targets: 500,
    });
    assert.equal(queries.length, 500);
    for (let i = 1; i < queries.length; i++) assert.ok(hexOf(queries[i]!) < hexOf(queries[i - 1]!));
    assert.ok(queries.every((q) => q.method === 'find_node' && /^[89ab]/.test(hexOf(q))));
    // Evenly spread: the sweep reaches both ends of the range.
    assert.ok(hexOf(queries[0]!) >= 'bf');
    assert.ok(hexOf(queries.at(-1)!) < '81');
  });

  it('rejects a range whose ends are reversed or too narrow', () => {
    const params = behaviorNamed('sequential_crawler')!.params;
    assert.equal(params.safeParse({ from: 0.5, to: '4' }).success, false);
    // Too narrow for distinct targets: 256 ids, 2000 targets.
    assert.equal(params.safeParse({ from: 'f'.repeat(38), to: 1 }).success, false);
    assert.ok(params.safeParse({ from: 'f'.repeat(38), to: 1, targets: 200 }).success);
  });
});

describe('prefix_walker', () => {
  it('walks 12-bit prefixes upward by one, 3–8 targets in each, in random order', () => {
    const { queries } = run('prefix_walker');
    const prefix = (q: PlannedQuery) => Number.parseInt(hexOf(q).slice(0, 3), 16);
    // Walks are separated by a pause of about 30 min; within one, prefixes step by 0 or +1.
    const walks: PlannedQuery[][] = [[]];
    for (const [i, q] of queries.entries()) {
      if (i > 0 && q.at - queries[i - 1]!.at > 15 * MINUTE) walks.push([]);
      walks.at(-1)!.push(q);
    }
    assert.equal(walks.length, 2);
    let unordered = 0;
    for (const walk of walks) {
      for (let i = 1; i < walk.length; i++) {
        const step = prefix(walk[i]!) - prefix(walk[i - 1]!);
        assert.ok(step === 0 || step === 1, `prefix step ${step}`);
      }
      const groups = groupBy(walk, prefix);
      for (const group of [...groups.values()].slice(0, -1)) {
        assert.ok(group.length >= 3 && group.length <= 8, `${group.length} targets in a prefix`);
        const hexes = group.map(hexOf);
        if (hexes.join() !== [...hexes].sort().join()) unordered++;
      }
    }
    assert.equal(new Set(walks[0]!.map(prefix)).size, 40);
    const first = walks[0]!;
    assert.ok(first.at(-1)!.at - first[0]!.at <= 2 * HOUR);
    assert.ok(unordered >= 10, `only ${unordered} prefixes had unordered targets`);
  });

  it('starts at a given prefix', () => {
    const { queries } = run('prefix_walker', { startPrefix: '96a', walks: 1 });
    assert.ok(hexOf(queries[0]!).startsWith('96a'));
    assert.ok(hexOf(queries.at(-1)!).startsWith((0x96a + 39).toString(16)));
  });
});

describe('sample_infohashes_crawler', () => {
  it('sends mostly sample_infohashes, one node at a time, a few per second', () => {
    const { queries } = run('sample_infohashes_crawler');
    const samples = queries.filter((q) => q.method === 'sample_infohashes').length;
    assert.ok(samples / queries.length >= 0.8, `${samples} of ${queries.length}`);
    assert.ok(queries.every((q) => q.fanout === 1));
    const perSecond = queries.length / (DURATION / 1000);
    assert.ok(perSecond >= 1.5 && perSecond <= 5, `${perSecond} per second`);
  });
});

describe('periodic_monitor', () => {
  it('revisits each watched hash at least 3 times, every period ± 30 %, never announcing', () => {
    const { queries, behavior, params } = run('periodic_monitor');
    assert.ok(queries.every((q) => q.method === 'get_peers'));
    const visits = groupBy(queries, hexOf);
    assert.equal(visits.size, 10);
    for (const [hash, list] of visits) {
      assert.ok(list.length >= 3, `${hash} seen ${list.length} times`);
      for (let i = 1; i < list.length; i++) {
        const gap = list[i]!.at - list[i - 1]!.at;
        assert.ok(Math.abs(gap - HOUR) <= 0.3 * HOUR, `gap ${gap}`);
      }
    }
    // The labels name exactly the hashes of the plan (world.ts gives hashLabels a fresh copy of the stream).
    const labels = behavior.hashLabels!({ ...contextFor(behavior, params, 1, DURATION) }, params);
    assert.deepEqual(new Set(labels.map((l) => l.key)), new Set(visits.keys()));
    assert.ok(
      labels.every(
        (l) =>
          l.kind === 'infohash' &&
          l.label === 'periodic_lookup_target' &&
          /^[0-9a-f]{40}$/.test(l.key),
      ),
    );
  });

  it('watches a given list with a given period', () => {
    const hashes = ['AB'.repeat(20), 'cd'.repeat(20)];
    const { queries } = run('periodic_monitor', { hashes, period: '30m' });
    assert.deepEqual(new Set(queries.map(hexOf)), new Set(['ab'.repeat(20), 'cd'.repeat(20)]));
    assert.ok(queries.length >= 14);
  });
});

describe('burst_prober', () => {
  it('sends everything in a few short bursts of 200–500 queries', () => {
    const { queries } = run('burst_prober');
    const bursts: PlannedQuery[][] = [[]];
    for (const [i, q] of queries.entries()) {
      if (i > 0 && q.at - queries[i - 1]!.at > MINUTE) bursts.push([]);
      bursts.at(-1)!.push(q);
    }
    assert.equal(bursts.length, 3);
    for (const burst of bursts) {
      assert.ok(burst.length >= 200 && burst.length <= 500, `burst of ${burst.length}`);
      assert.ok(burst.at(-1)!.at - burst[0]!.at <= 30_000);
    }
    const minutes = groupBy(queries, (q) => Math.floor(q.at / MINUTE));
    assert.ok(minutes.size <= 6, `${minutes.size} active minutes`);
    const peak = Math.max(...[...minutes.values()].map((m) => m.length));
    const mean = queries.length / (DURATION / MINUTE);
    assert.ok(peak >= 50 * mean, `peak ${peak}, mean ${mean}`);
    assert.ok(queries[0]!.at > 5 * MINUTE, 'starts with silence');
  });
});

describe('distributed_campaign', () => {
  it('splits the range into adjacent disjoint ascending sweeps that start within a minute', () => {
    const { queries, context } = run('distributed_campaign');
    assert.equal(context.addresses.length, 4);
    const members = [...byFrom(queries).entries()].sort(([a], [b]) => a - b);
    assert.equal(members.length, 4);
    const starts = members.map(([, list]) => list[0]!.at);
    assert.ok(Math.max(...starts) - Math.min(...starts) <= MINUTE);
    const step = (1n << 160n) / 4n / 1000n;
    const value = (q: PlannedQuery) => BigInt(`0x${hexOf(q)}`);
    for (const [i, [, list]] of members.entries()) {
      assert.equal(list.length, 1000);
      for (let j = 1; j < list.length; j++) assert.ok(value(list[j]!) > value(list[j - 1]!));
      assert.equal(new Set(list.map((q) => toHex(q.nodeId))).size, 1);
      // Member i covers sub-range i (a quarter of the keyspace here), end to end.
      assert.equal(hexOf(list[0]!)[0], (i * 4).toString(16));
      if (i > 0) {
        const gap = value(list[0]!) - value(members[i - 1]![1].at(-1)!);
        assert.ok(gap > 0n && gap < 2n * step, 'sub-ranges are disjoint and adjacent');
      }
    }
    // Same rate: the members' mean gaps agree within 5 %.
    const means = members.map(([, list]) => (list.at(-1)!.at - list[0]!.at) / (list.length - 1));
    assert.ok(Math.max(...means) / Math.min(...means) < 1.05);
  });
});

describe('sybil_fleet', () => {
  it('uses many ids placed near their destinations and one constant txid', () => {
    const { queries } = run('sybil_fleet');
    assert.ok(new Set(queries.map((q) => toHex(q.nodeId))).size >= 5);
    assert.equal(
      new Set(queries.map((q) => (q.txid === undefined ? 'none' : toHex(q.txid)))).size,
      1,
    );
    assert.ok(queries[0]!.txid !== undefined);
    assert.ok(queries.every((q) => q.idFromDestination === 80));
    assert.ok(
      queries.some((q) => q.method === 'get_peers') &&
        queries.some((q) => q.method === 'find_node'),
    );
  });

  it('places ids next to the target and keeps a given txid', () => {
    const { queries } = run('sybil_fleet', { placeNear: 'target', txid: '6a1f', copyBits: 64 });
    for (const q of queries) {
      assert.equal(toHex(q.nodeId).slice(0, 16), hexOf(q).slice(0, 16));
      assert.equal(q.idFromDestination, undefined);
      assert.equal(toHex(q.txid!), '6a1f');
    }
  });
});

describe('normal_client', () => {
  it('joins with its own id and announces only hashes it looked up 1–5 s before', () => {
    const { queries } = run('normal_client');
    assert.equal(queries[0]!.method, 'find_node');
    assert.deepEqual(queries[0]!.target, queries[0]!.nodeId);
    const lookedUp = new Map<string, number>();
    let announces = 0;
    for (const q of queries) {
      if (q.method === 'get_peers') lookedUp.set(hexOf(q), q.at);
      if (q.method === 'announce_peer') {
        announces++;
        const at = lookedUp.get(hexOf(q));
        assert.ok(at !== undefined, 'announce of a hash never looked up');
        assert.ok(q.at - at >= 1000 && q.at - at <= 5000);
      }
    }
    assert.ok(announces >= 1);
    assert.ok(queries.some((q) => q.method === 'ping'));
    assert.equal(new Set(queries.map((q) => toHex(q.nodeId))).size, 1);
  });

  it('looks popular hashes up more often than rare ones, a few times an hour', () => {
    const counts = new Map<string, number>();
    let lookups = 0;
    for (let seed = 1; seed <= 30; seed++) {
      for (const q of run('normal_client', {}, seed).queries) {
        if (q.method !== 'get_peers') continue;
        lookups++;
        counts.set(hexOf(q), (counts.get(hexOf(q)) ?? 0) + 1);
      }
    }
    const perClientHour = lookups / 30 / 4;
    assert.ok(perClientHour >= 4 && perClientHour <= 8, `${perClientHour} lookups per hour`);
    assert.ok(Math.max(...counts.values()) >= 5, 'no hash repeats across clients');
  });
});

describe('swarm', () => {
  it('announces its one hash from every address, every ~30 min', () => {
    const { queries, context, behavior, params } = run('swarm');
    assert.equal(context.addresses.length, 20);
    const hashes = new Set(queries.map(hexOf));
    assert.equal(hashes.size, 1);
    const peers = byFrom(queries);
    assert.equal(peers.size, 20);
    for (const list of peers.values()) {
      const announces = list.filter((q) => q.method === 'announce_peer');
      assert.ok(announces.length >= 6, `${announces.length} announces in 4 h`);
      for (let i = 1; i < announces.length; i++) {
        const gap = announces[i]!.at - announces[i - 1]!.at;
        assert.ok(gap >= 0.8 * 30 * MINUTE - 5000 && gap <= 1.2 * 30 * MINUTE + 5000, `gap ${gap}`);
      }
    }
    const share = queries.filter((q) => q.method === 'announce_peer').length / queries.length;
    assert.ok(share >= 0.45, `announce share ${share}`);
    const labels = behavior.hashLabels!(contextFor(behavior, params, 1, DURATION), params);
    assert.deepEqual(labels, [{ kind: 'infohash', key: [...hashes][0], label: 'swarm_like' }]);
  });
});

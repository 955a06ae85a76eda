import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Contact,
  type ContactInfo,
  commonPrefixLength,
  contactState,
  type NodeId,
  nodeIdFromHex,
  nodeIdToHex,
  type RandomBytes,
  RoutingTable,
  randomIdWithPrefix,
  randomNodeId,
} from '../../../src/protocol/kademlia/index.ts';
import { seededRandomBytes } from '../../../src/protocol/random.ts';

const MINUTE = 60_000;
const NOW = 1_700_000_000_000;
const SELF = nodeIdFromHex('6b'.repeat(20));

let nextHost = 1;
function contactFor(id: NodeId): ContactInfo {
  const host = nextHost++;
  return { id, address: `10.${(host >> 16) & 255}.${(host >> 8) & 255}.${host & 255}`, port: 6881 };
}

/**
 * A table whose bucket 0 (ids whose first bit differs from ours) is full of
 * nodes that answered at `now`, and is no longer the last bucket, so it
 * cannot split: the setting for BEP 5's full-bucket rules.
 */
function tableWithFullFarBucket(rng: RandomBytes, now = NOW) {
  const table = new RoutingTable(SELF);
  const members: ContactInfo[] = [];
  for (let i = 0; i < table.config.k; i++) {
    const info = contactFor(randomIdWithPrefix(SELF, 0, rng));
    assert.equal(table.heardFrom(info, 'response', now).kind, 'inserted');
    members.push(info);
  }
  // A near node forces the split that makes bucket 0 a non-last bucket.
  assert.equal(
    table.heardFrom(contactFor(randomIdWithPrefix(SELF, 5, rng)), 'response', now).kind,
    'inserted',
  );
  assert.ok(table.bucketCount >= 2);
  const bucket0 = table.buckets()[0]!;
  assert.equal(bucket0.contacts.length, table.config.k);
  return { table, members };
}

/** Every contact and candidate sits in the bucket its common prefix with us names. */
function assertWellFormed(table: RoutingTable): void {
  const buckets = table.buckets();
  const last = buckets.length - 1;
  const seen = new Set<string>();
  assert.ok(buckets.length >= 1 && buckets.length <= 160);
  for (const bucket of buckets) {
    assert.ok(bucket.contacts.length <= table.config.k, `bucket ${bucket.index} over k`);
    assert.ok(bucket.cacheSize <= table.config.replacementCacheSize);
    assert.equal(bucket.cacheSize, bucket.replacements.length);
    for (const contact of [...bucket.contacts, ...bucket.replacements]) {
      const cpl = commonPrefixLength(contact.id, table.selfId);
      if (bucket.index < last) assert.equal(cpl, bucket.index);
      else assert.ok(cpl >= last && cpl < 160);
      const hex = nodeIdToHex(contact.id);
      assert.ok(!seen.has(hex), `id ${hex} stored twice`);
      seen.add(hex);
    }
    for (const contact of bucket.contacts) {
      assert.notEqual(contact.lastResponse, undefined, 'only nodes that answered sit in buckets');
    }
  }
  assert.equal(table.size, [...table.contacts()].length);
}

describe('contactState', () => {
  const base: Contact = {
    id: SELF,
    address: '10.0.0.1',
    port: 6881,
    firstSeen: NOW - 120 * MINUTE,
    lastResponse: undefined,
    lastQuery: undefined,
    failures: 0,
  };

  it('rates a node good within 15 minutes of a response, questionable after', () => {
    assert.equal(contactState({ ...base, lastResponse: NOW - 14 * MINUTE }, NOW), 'good');
    assert.equal(contactState({ ...base, lastResponse: NOW - 15 * MINUTE }, NOW), 'good');
    assert.equal(contactState({ ...base, lastResponse: NOW - 16 * MINUTE }, NOW), 'questionable');
  });

  it('rates a node good that answered long ago and queried us recently', () => {
    const contact = { ...base, lastResponse: NOW - 90 * MINUTE, lastQuery: NOW - MINUTE };
    assert.equal(contactState(contact, NOW), 'good');
    assert.equal(contactState({ ...contact, lastQuery: NOW - 16 * MINUTE }, NOW), 'questionable');
  });

  it('never rates good a node that only ever queried us', () => {
    assert.equal(contactState({ ...base, lastQuery: NOW }, NOW), 'questionable');
  });

  it('rates bad after maxFailures failures in a row, questionable before', () => {
    const fresh = { ...base, lastResponse: NOW };
    assert.equal(contactState({ ...fresh, failures: 1 }, NOW), 'questionable');
    assert.equal(contactState({ ...fresh, failures: 2 }, NOW), 'bad');
    assert.equal(
      contactState({ ...fresh, failures: 2 }, NOW, {
        questionableAfterMs: 15 * MINUTE,
        maxFailures: 3,
      }),
      'questionable',
    );
  });

  it('honours a custom questionable window', () => {
    const contact = { ...base, lastResponse: NOW - 2 * MINUTE };
    assert.equal(
      contactState(contact, NOW, { questionableAfterMs: MINUTE, maxFailures: 2 }),
      'questionable',
    );
  });
});

describe('RoutingTable construction', () => {
  it('starts with one empty bucket that needs a refresh', () => {
    const table = new RoutingTable(SELF);
    assert.equal(table.size, 0);
    assert.equal(table.bucketCount, 1);
    assert.deepEqual(table.bucketsNeedingRefresh(NOW), [0]);
    assert.deepEqual(table.config.k, 8);
  });

  it('rejects a malformed self id and bad options', () => {
    assert.throws(() => new RoutingTable(new Uint8Array(19)), TypeError);
    assert.throws(() => new RoutingTable(SELF, { k: 0 }), RangeError);
    assert.throws(() => new RoutingTable(SELF, { maxFailures: 0 }), RangeError);
    assert.throws(() => new RoutingTable(SELF, { replacementCacheSize: 1.5 }), RangeError);
    assert.throws(() => new RoutingTable(SELF, { questionableAfterMs: -1 }), RangeError);
  });

  it('keeps its own copy of the self id', () => {
    const self = new Uint8Array(SELF);
    const table = new RoutingTable(self);
    self[0] = 0;
    assert.deepEqual(table.selfId, SELF);
  });
});

describe('RoutingTable.heardFrom', () => {
  it('inserts a node that answered, and updates it afterwards', () => {
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(seededRandomBytes(1)));
    const first = table.heardFrom(info, 'response', NOW);
    assert.equal(first.kind, 'inserted');
    assert.equal(table.size, 1);
    const second = table.heardFrom(info, 'query', NOW + MINUTE);
    assert.equal(second.kind, 'updated');
    const stored = table.get(info.id)!;
    assert.equal(stored.firstSeen, NOW);
    assert.equal(stored.lastResponse, NOW);
    assert.equal(stored.lastQuery, NOW + MINUTE);
    assert.equal(table.size, 1);
  });

  it('copies the id rather than keeping a view of the caller bytes', () => {
    const table = new RoutingTable(SELF);
    const packet = new Uint8Array(26);
    packet.set(randomNodeId(seededRandomBytes(2)));
    const id = packet.subarray(0, 20);
    table.heardFrom(contactFor(id), 'response', NOW);
    const stored = [...table.contacts()][0]!;
    packet.fill(0);
    assert.notDeepEqual(stored.id, packet.subarray(0, 20));
    assert.equal(stored.id.buffer.byteLength, 20);
  });

  it('rejects our own id and malformed contacts', () => {
    const table = new RoutingTable(SELF);
    const id = randomNodeId(seededRandomBytes(3));
    assert.deepEqual(table.heardFrom(contactFor(new Uint8Array(SELF)), 'response', NOW), {
      kind: 'rejected',
      reason: 'own-id',
    });
    for (const info of [
      { id: id.subarray(0, 19), address: '10.0.0.1', port: 6881 },
      { id, address: '', port: 6881 },
      { id, address: '10.0.0.1', port: 0 },
      { id, address: '10.0.0.1', port: 65_536 },
    ]) {
      assert.deepEqual(table.heardFrom(info, 'response', NOW), {
        kind: 'rejected',
        reason: 'invalid-contact',
      });
    }
    assert.equal(table.size, 0);
  });

  it('rejects a known id claimed from another endpoint and keeps the original', () => {
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(seededRandomBytes(4)));
    table.heardFrom(info, 'response', NOW);
    for (const impostor of [
      { ...info, port: 6882 },
      { ...info, address: '192.0.2.1' },
    ]) {
      for (const how of ['response', 'query'] as const) {
        const result = table.heardFrom(impostor, how, NOW + MINUTE);
        assert.deepEqual(result, { kind: 'rejected', reason: 'id-at-other-endpoint' });
      }
    }
    const stored = table.get(info.id)!;
    assert.equal(stored.address, info.address);
    assert.equal(stored.port, info.port);
    assert.equal(stored.lastResponse, NOW, 'impostor messages do not refresh the record');
  });

  it('lets a node that answers from a new endpoint take over an id whose record went bad', () => {
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(seededRandomBytes(5)));
    table.heardFrom(info, 'response', NOW);
    table.failed(info.id, NOW + 1);
    table.failed(info.id, NOW + 2);
    const moved = { ...info, port: 7000 };
    assert.equal(
      table.heardFrom(moved, 'query', NOW + 3).kind,
      'rejected',
      'a query proves nothing',
    );
    const result = table.heardFrom(moved, 'response', NOW + 4);
    assert.equal(result.kind, 'replaced');
    assert.equal(table.get(info.id)!.port, 7000);
    assert.equal(table.get(info.id)!.failures, 0);
  });

  it('holds back a node that only queried us until it answers a ping', () => {
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(seededRandomBytes(6)));
    const result = table.heardFrom(info, 'query', NOW);
    assert.equal(result.kind, 'cached');
    assert.ok(result.kind === 'cached' && result.ping !== undefined);
    assert.deepEqual(result.ping.id, info.id, 'asks the caller to ping the newcomer');
    assert.equal(table.size, 0);
    assert.equal(table.get(info.id), undefined);
    assert.equal(table.buckets()[0]!.cacheSize, 1);

    const answered = table.heardFrom(info, 'response', NOW + 1000);
    assert.equal(answered.kind, 'inserted');
    const stored = table.get(info.id)!;
    assert.equal(stored.firstSeen, NOW, 'keeps the history gathered while cached');
    assert.equal(stored.lastQuery, NOW);
    assert.equal(table.buckets()[0]!.cacheSize, 0);
  });

  it('refreshes lastChanged on insertion and on a response, not on a query', () => {
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(seededRandomBytes(7)));
    table.heardFrom(info, 'response', NOW);
    assert.equal(table.buckets()[0]!.lastChanged, NOW);
    table.heardFrom(info, 'query', NOW + MINUTE);
    assert.equal(table.buckets()[0]!.lastChanged, NOW);
    table.heardFrom(info, 'response', NOW + 2 * MINUTE);
    assert.equal(table.buckets()[0]!.lastChanged, NOW + 2 * MINUTE);
  });
});

describe('RoutingTable full buckets (BEP 5)', () => {
  it('caches a newcomer when the bucket is full of good nodes, and asks for no ping', () => {
    const rng = seededRandomBytes(10);
    const { table } = tableWithFullFarBucket(rng);
    const size = table.size;
    const newcomer = contactFor(randomIdWithPrefix(SELF, 0, rng));
    const result = table.heardFrom(newcomer, 'response', NOW);
    assert.deepEqual(result.kind, 'cached');
    assert.ok(result.kind === 'cached' && result.ping === undefined);
    assert.equal(table.get(newcomer.id), undefined);
    assert.equal(table.size, size);
    assert.equal(table.buckets()[0]!.cacheSize, 1);
    assertWellFormed(table);
  });

  it('asks to ping the least recently seen questionable node', () => {
    const rng = seededRandomBytes(11);
    const { table, members } = tableWithFullFarBucket(rng, NOW - 30 * MINUTE);
    // Everyone answered 30 min ago; refresh all but two, the older of which
    // last answered 30 min ago (the other 20).
    for (const member of members.slice(2)) table.heardFrom(member, 'response', NOW);
    table.heardFrom(members[1]!, 'response', NOW - 20 * MINUTE);
    const result = table.heardFrom(contactFor(randomIdWithPrefix(SELF, 0, rng)), 'response', NOW);
    assert.equal(result.kind, 'cached');
    assert.ok(result.kind === 'cached' && result.ping !== undefined);
    assert.deepEqual(result.ping.id, members[0]!.id);
  });

  it('replaces a bad node with a newcomer that answered', () => {
    const rng = seededRandomBytes(12);
    const { table, members } = tableWithFullFarBucket(rng);
    const victim = members[3]!;
    assert.equal(table.failed(victim.id, NOW + 1).kind, 'counted');
    const failed = table.failed(victim.id, NOW + 2);
    assert.equal(failed.kind, 'bad', 'stays while nothing can replace it');
    assert.equal(table.state(table.get(victim.id)!, NOW + 2), 'bad');

    const newcomer = contactFor(randomIdWithPrefix(SELF, 0, rng));
    const result = table.heardFrom(newcomer, 'response', NOW + 3);
    assert.equal(result.kind, 'replaced');
    assert.ok(result.kind === 'replaced');
    assert.deepEqual(result.evicted.id, victim.id);
    assert.equal(table.get(victim.id), undefined);
    assert.notEqual(table.get(newcomer.id), undefined);
    assert.equal(table.buckets()[0]!.lastChanged, NOW + 3);
    assertWellFormed(table);
  });

  it('does not let a node that only queried us displace anyone, even a bad node', () => {
    const rng = seededRandomBytes(13);
    const { table, members } = tableWithFullFarBucket(rng);
    table.failed(members[0]!.id, NOW);
    table.failed(members[0]!.id, NOW);
    const querier = contactFor(randomIdWithPrefix(SELF, 0, rng));
    const result = table.heardFrom(querier, 'query', NOW);
    assert.equal(result.kind, 'cached');
    assert.ok(result.kind === 'cached');
    assert.deepEqual(result.ping?.id, querier.id, 'it could take the bad slot once it answers');
    assert.notEqual(table.get(members[0]!.id), undefined);
    assert.equal(table.get(querier.id), undefined);
  });

  it('promotes the freshest cached candidate that answered when a node goes bad', () => {
    const rng = seededRandomBytes(14);
    const { table, members } = tableWithFullFarBucket(rng);
    const older = contactFor(randomIdWithPrefix(SELF, 0, rng));
    const fresher = contactFor(randomIdWithPrefix(SELF, 0, rng));
    const querier = contactFor(randomIdWithPrefix(SELF, 0, rng));
    assert.equal(table.heardFrom(older, 'response', NOW + 1).kind, 'cached');
    assert.equal(table.heardFrom(fresher, 'response', NOW + 2).kind, 'cached');
    assert.equal(table.heardFrom(querier, 'query', NOW + 3).kind, 'cached');

    const victim = members[5]!;
    assert.equal(table.failed(victim.id, NOW + 4).kind, 'counted');
    const result = table.failed(victim.id, NOW + 5);
    assert.equal(result.kind, 'promoted');
    assert.ok(result.kind === 'promoted');
    assert.deepEqual(result.promoted.id, fresher.id);
    assert.deepEqual(result.evicted.id, victim.id);
    assert.equal(table.get(victim.id), undefined);
    assert.notEqual(table.get(fresher.id), undefined);
    assert.equal(table.buckets()[0]!.cacheSize, 2);
    assert.equal(table.buckets()[0]!.lastChanged, NOW + 5);
    assertWellFormed(table);
  });

  it('suggests pinging an unverified candidate when a node goes bad with nothing better cached', () => {
    const rng = seededRandomBytes(15);
    const { table, members } = tableWithFullFarBucket(rng);
    const querier = contactFor(randomIdWithPrefix(SELF, 0, rng));
    table.heardFrom(querier, 'query', NOW);
    table.failed(members[0]!.id, NOW);
    const result = table.failed(members[0]!.id, NOW);
    assert.equal(result.kind, 'bad');
    assert.ok(result.kind === 'bad');
    assert.deepEqual(result.ping?.id, querier.id);
    // It answers the ping and takes the bad node's slot.
    const answered = table.heardFrom(querier, 'response', NOW + 1);
    assert.equal(answered.kind, 'replaced');
    assert.equal(table.get(members[0]!.id), undefined);
  });

  it('bounds the replacement cache, preferring candidates that answered', () => {
    const rng = seededRandomBytes(16);
    const { table } = tableWithFullFarBucket(rng);
    const cacheSize = table.config.replacementCacheSize;
    const answered: ContactInfo[] = [];
    for (let i = 0; i < cacheSize + 4; i++) {
      const info = contactFor(randomIdWithPrefix(SELF, 0, rng));
      assert.equal(table.heardFrom(info, 'response', NOW + i).kind, 'cached');
      answered.push(info);
    }
    const bucket0 = table.buckets()[0]!;
    assert.equal(bucket0.cacheSize, cacheSize);
    // The oldest ones made room for the newest.
    const cachedHex = bucket0.replacements.map((c) => nodeIdToHex(c.id)).sort();
    const expected = answered
      .slice(-cacheSize)
      .map((c) => nodeIdToHex(c.id))
      .sort();
    assert.deepEqual(cachedHex, expected);

    const querier = contactFor(randomIdWithPrefix(SELF, 0, rng));
    assert.deepEqual(table.heardFrom(querier, 'query', NOW + 100), {
      kind: 'rejected',
      reason: 'replacement-cache-full',
    });
  });

  it('forgets a cached candidate that fails maxFailures times', () => {
    const rng = seededRandomBytes(17);
    const { table } = tableWithFullFarBucket(rng);
    const querier = contactFor(randomIdWithPrefix(SELF, 0, rng));
    table.heardFrom(querier, 'query', NOW);
    assert.equal(table.failed(querier.id, NOW).kind, 'counted');
    assert.equal(table.failed(querier.id, NOW).kind, 'dropped');
    assert.equal(table.buckets()[0]!.cacheSize, 0);
    assert.equal(table.failed(querier.id, NOW).kind, 'unknown');
  });

  it('rejects a cached id claimed from another endpoint unless the claimant answers and the original never did', () => {
    const rng = seededRandomBytes(18);
    const { table } = tableWithFullFarBucket(rng);
    const verified = contactFor(randomIdWithPrefix(SELF, 0, rng));
    table.heardFrom(verified, 'response', NOW);
    const impostor = { ...verified, port: 9999 };
    assert.equal(table.heardFrom(impostor, 'response', NOW).kind, 'rejected');

    const squatter = contactFor(randomIdWithPrefix(SELF, 0, rng));
    table.heardFrom(squatter, 'query', NOW);
    const real = { ...squatter, address: '198.51.100.7' };
    assert.equal(table.heardFrom(real, 'query', NOW).kind, 'rejected');
    assert.equal(table.heardFrom(real, 'response', NOW).kind, 'cached');
    const cached = table
      .buckets()[0]!
      .replacements.find((c) => c.port === real.port && c.address === real.address);
    assert.ok(cached !== undefined);
  });
});

describe('RoutingTable.failed, remove, get', () => {
  it('counts failures, which only a response resets', () => {
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(seededRandomBytes(20)));
    table.heardFrom(info, 'response', NOW);
    const once = table.failed(info.id, NOW + 1);
    assert.ok(once.kind === 'counted' && once.contact.failures === 1);
    table.heardFrom(info, 'query', NOW + 2);
    assert.equal(table.get(info.id)!.failures, 1);
    assert.equal(table.state(table.get(info.id)!, NOW + 2), 'questionable');
    table.heardFrom(info, 'response', NOW + 3);
    assert.equal(table.get(info.id)!.failures, 0);
    assert.equal(table.state(table.get(info.id)!, NOW + 3), 'good');
  });

  it('reports unknown ids', () => {
    const table = new RoutingTable(SELF);
    assert.deepEqual(table.failed(randomNodeId(seededRandomBytes(21)), NOW), { kind: 'unknown' });
    assert.deepEqual(table.failed(new Uint8Array(3), NOW), { kind: 'unknown' });
  });

  it('removes contacts and candidates', () => {
    const rng = seededRandomBytes(22);
    const { table, members } = tableWithFullFarBucket(rng);
    const candidate = contactFor(randomIdWithPrefix(SELF, 0, rng));
    table.heardFrom(candidate, 'response', NOW);
    const size = table.size;
    assert.deepEqual(table.remove(members[0]!.id)?.id, members[0]!.id);
    assert.equal(table.size, size - 1);
    assert.equal(table.get(members[0]!.id), undefined);
    assert.deepEqual(table.remove(candidate.id)?.id, candidate.id);
    assert.equal(table.buckets()[0]!.cacheSize, 0);
    assert.equal(table.remove(candidate.id), undefined);
  });
});

describe('RoutingTable splitting', () => {
  it('splits deeper as ids close to our own arrive, never exceeding k per bucket', () => {
    const rng = seededRandomBytes(30);
    const table = new RoutingTable(SELF);
    for (let i = 0; i < 200; i++) table.heardFrom(contactFor(randomNodeId(rng)), 'response', NOW);
    const shallow = table.bucketCount;
    assertWellFormed(table);
    for (let depth = 0; depth < 60; depth++) {
      for (let i = 0; i < 3; i++) {
        table.heardFrom(contactFor(randomIdWithPrefix(SELF, depth, rng)), 'response', NOW);
      }
    }
    assertWellFormed(table);
    assert.ok(table.bucketCount > shallow + 40, `${table.bucketCount} buckets`);
    // Buckets for the depths we filled hold all three ids of that depth.
    for (const bucket of table.buckets().slice(10, 50)) assert.equal(bucket.contacts.length, 3);
  });

  it('does not split on far ids: bucket 0 stays at k and the rest is cached', () => {
    const rng = seededRandomBytes(31);
    const table = new RoutingTable(SELF);
    for (let i = 0; i < 30; i++)
      table.heardFrom(contactFor(randomIdWithPrefix(SELF, 0, rng)), 'response', NOW + i);
    assert.equal(table.bucketCount, 2);
    assert.equal(table.size, 8);
    assert.equal(table.buckets()[0]!.cacheSize, table.config.replacementCacheSize);
    assertWellFormed(table);
  });

  it('splits to make room for a node that only queried us once it answers', () => {
    const rng = seededRandomBytes(32);
    const table = new RoutingTable(SELF, { k: 2 });
    for (const depth of [5, 6]) {
      table.heardFrom(contactFor(randomIdWithPrefix(SELF, depth, rng)), 'response', NOW);
    }
    assert.equal(table.bucketCount, 1);
    const querier = contactFor(randomIdWithPrefix(SELF, 7, rng));
    const queried = table.heardFrom(querier, 'query', NOW);
    assert.ok(
      queried.kind === 'cached' && queried.ping !== undefined,
      'the full last bucket could split for it',
    );
    assert.equal(table.bucketCount, 1, 'no split for a node that has not answered');
    assert.equal(table.heardFrom(querier, 'response', NOW).kind, 'inserted');
    assert.equal(table.size, 3);
    assert.ok(table.bucketCount > 1);
    assertWellFormed(table);
  });

  it('stops at 160 buckets', () => {
    const table = new RoutingTable(SELF, { k: 1 });
    const rng = seededRandomBytes(33);
    table.heardFrom(contactFor(randomIdWithPrefix(SELF, 159, rng)), 'response', NOW);
    table.heardFrom(contactFor(randomIdWithPrefix(SELF, 158, rng)), 'response', NOW);
    assert.equal(table.bucketCount, 160);
    assert.equal(table.size, 2);
    assertWellFormed(table);
  });

  it('stays well formed under random operations', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(
          fc.record({
            op: fc.constantFrom('response', 'query', 'failed', 'remove', 'moved'),
            depth: fc.integer({ min: 0, max: 24 }),
            pick: fc.nat(),
          }),
          { maxLength: 300 },
        ),
        (seed, ops) => {
          const rng = seededRandomBytes(seed);
          const table = new RoutingTable(randomNodeId(rng), { k: 4, replacementCacheSize: 3 });
          const known: ContactInfo[] = [];
          let now = NOW;
          for (const { op, depth, pick } of ops) {
            now += 10 * 1000;
            const existing = known[pick % Math.max(known.length, 1)];
            if (op === 'failed' && existing) table.failed(existing.id, now);
            else if (op === 'remove' && existing) table.remove(existing.id);
            else if (op === 'moved' && existing)
              table.heardFrom({ ...existing, port: 1 + (pick % 60000) }, 'response', now);
            else {
              const reuse = existing !== undefined && pick % 3 === 0;
              const info = reuse
                ? existing
                : contactFor(randomIdWithPrefix(table.selfId, depth, rng));
              if (!reuse) known.push(info);
              table.heardFrom(info, op === 'query' ? 'query' : 'response', now);
            }
          }
          assertWellFormed(table);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('RoutingTable refresh', () => {
  it('lists buckets unchanged for more than the refresh interval', () => {
    const rng = seededRandomBytes(40);
    const { table } = tableWithFullFarBucket(rng, NOW);
    assert.deepEqual(table.bucketsNeedingRefresh(NOW + 15 * MINUTE), []);
    const all = table.buckets().map((b) => b.index);
    assert.deepEqual(table.bucketsNeedingRefresh(NOW + 15 * MINUTE + 1), all);
    assert.deepEqual(table.bucketsNeedingRefresh(NOW + MINUTE, 30_000), all);
    // A response from a node of bucket 0 freshens that bucket only.
    const member = table.buckets()[0]!.contacts[0]!;
    table.heardFrom(member, 'response', NOW + 20 * MINUTE);
    assert.deepEqual(table.bucketsNeedingRefresh(NOW + 21 * MINUTE), all.slice(1));
  });

  it('gives refresh targets that fall in the bucket asked for', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const rng = seededRandomBytes(seed);
        const table = new RoutingTable(randomNodeId(rng));
        for (let depth = 0; depth < 40; depth++) {
          for (let i = 0; i < 4; i++)
            table.heardFrom(
              contactFor(randomIdWithPrefix(table.selfId, depth, rng)),
              'response',
              NOW,
            );
        }
        const last = table.bucketCount - 1;
        assert.ok(last > 10);
        for (let index = 0; index <= last; index++) {
          const cpl = commonPrefixLength(table.refreshTarget(index, rng), table.selfId);
          if (index < last) assert.equal(cpl, index);
          else assert.ok(cpl >= last);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('rejects refresh targets for buckets that do not exist', () => {
    const table = new RoutingTable(SELF);
    assert.throws(() => table.refreshTarget(1, seededRandomBytes(1)), RangeError);
    assert.throws(() => table.refreshTarget(-1, seededRandomBytes(1)), RangeError);
  });
});

describe('RoutingTable.buckets', () => {
  it('returns snapshots that later changes do not touch', () => {
    const rng = seededRandomBytes(50);
    const table = new RoutingTable(SELF);
    const info = contactFor(randomNodeId(rng));
    table.heardFrom(info, 'response', NOW);
    const snapshot = table.buckets();
    table.heardFrom(info, 'response', NOW + MINUTE);
    table.heardFrom(contactFor(randomNodeId(rng)), 'response', NOW + MINUTE);
    assert.equal(snapshot[0]!.contacts.length, 1);
    assert.equal(snapshot[0]!.contacts[0]!.lastResponse, NOW);
    assert.equal(snapshot[0]!.lastChanged, NOW);
    (snapshot[0]!.contacts as Contact[]).length = 0;
    assert.equal(table.size, 2);
  });

  it('reports each bucket range as a prefix length', () => {
    const rng = seededRandomBytes(51);
    const table = new RoutingTable(SELF);
    for (let depth = 0; depth < 5; depth++) {
      for (let i = 0; i < 8; i++)
        table.heardFrom(contactFor(randomIdWithPrefix(SELF, depth, rng)), 'response', NOW);
    }
    const buckets = table.buckets();
    const last = buckets.length - 1;
    assert.ok(last >= 4);
    for (const bucket of buckets) {
      assert.equal(bucket.prefixBits, bucket.index === last ? bucket.index : bucket.index + 1);
    }
  });
});

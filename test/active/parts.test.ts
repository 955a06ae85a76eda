/** The small parts of the active tools and the lab network, each on its own. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderGraph } from '../../src/active/crawl-graph.ts';
import { type CrawlNode, emptySnapshot } from '../../src/active/crawl-model.ts';
import { foldSample } from '../../src/active/crawl-sampling.ts';
import { addressScope, parseEndpoint, scopesOf } from '../../src/active/endpoints.ts';
import { HashedKeySet, hashKey } from '../../src/active/hashed-key-set.ts';
import { Politeness } from '../../src/active/politeness.ts';
import { InboundMeter } from '../../src/lab/inbound-meter.ts';
import { loopbackAddresses } from '../../src/lab/network.ts';
import { nodeIdToHex } from '../../src/protocol/kademlia/index.ts';

describe('Politeness', () => {
  it('lets packets to one address go 1/rate plus the guard apart, and no more than the global rate', async (t) => {
    // Virtual time: the spacing is checked exactly, whatever the load on the machine.
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const politeness = new Politeness({ perAddress: 10, global: 40, guardMs: 20 }, () =>
      Date.now(),
    );
    const sent: { address: string; at: number }[] = [];
    const start = Date.now();
    let pending = 12;
    const all = Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const address = i % 3 === 0 ? 'a' : `other-${i}`;
        await politeness.slot(address);
        sent.push({ address, at: Date.now() });
        pending--;
      }),
    );
    for (let step = 0; step < 2000 && pending > 0; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      t.mock.timers.tick(1);
    }
    await all;
    const toA = sent.filter((s) => s.address === 'a').map((s) => s.at);
    assert.equal(toA.length, 4);
    // 1/10 s + 20 ms guard apart, and the global slot may push one later still.
    for (let i = 1; i < toA.length; i++)
      assert.ok(toA[i]! - toA[i - 1]! >= 120, `${toA[i]! - toA[i - 1]!} ms apart`);
    // 12 packets at 40/s: the last one no sooner than 11 × 25 ms after the first.
    const times = sent.map((s) => s.at);
    assert.ok(Math.max(...times) - Math.min(...times) >= 275);
    assert.ok(Math.min(...times) >= start);
  });

  it('refuses a budget that is not positive', () => {
    assert.throws(() => new Politeness({ perAddress: 0 }), RangeError);
  });
});

describe('InboundMeter', () => {
  it('counts the most datagrams from one source within any second (half-open window)', () => {
    const meter = new InboundMeter();
    for (const at of [0, 400, 999, 1_000, 1_400]) meter.record('x', at);
    meter.record('y', 10);
    assert.equal(
      meter.peakPerSecond('x'),
      3,
      '400, 999, 1000 are within one second; 0 and 1000 are not',
    );
    assert.equal(meter.total('x'), 5);
    assert.equal(meter.peakPerSecond('y'), 1);
    assert.equal(meter.peakPerSecond('z'), 0);
  });
});

describe('address scopes', () => {
  it('tells loopback, local, global and unusable addresses apart', () => {
    const cases: [string, string][] = [
      ['127.42.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'local'],
      ['172.16.0.1', 'local'],
      ['172.32.0.1', 'global'],
      ['192.168.1.1', 'local'],
      ['169.254.0.1', 'local'],
      ['fd00::1', 'local'],
      ['fe80::1', 'local'],
      ['8.8.8.8', 'global'],
      ['2001:db8::1', 'global'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['0.0.0.0', 'unusable'],
      ['224.0.0.1', 'unusable'],
      ['255.255.255.255', 'unusable'],
      ['::', 'unusable'],
      ['ff02::1', 'unusable'],
      ['router.bittorrent.com', 'global'],
    ];
    for (const [address, scope] of cases) assert.equal(addressScope(address), scope, address);
  });

  it('a walk from a loopback lab stays on loopback', () => {
    const scopes = scopesOf([{ address: '127.42.0.1', port: 6881 }]);
    assert.deepEqual([...scopes], ['loopback']);
  });

  it('parses host:port and [v6]:port, and says what is wrong otherwise', () => {
    assert.deepEqual(parseEndpoint('127.0.0.1:6881'), {
      ok: true,
      endpoint: { address: '127.0.0.1', port: 6881 },
    });
    assert.deepEqual(parseEndpoint('[::1]:6881'), {
      ok: true,
      endpoint: { address: '::1', port: 6881 },
    });
    assert.deepEqual(parseEndpoint('router.bittorrent.com:6881'), {
      ok: true,
      endpoint: { address: 'router.bittorrent.com', port: 6881 },
    });
    for (const bad of ['127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '[nothex]:1', '::1:6881'])
      assert.equal(parseEndpoint(bad).ok, false, bad);
  });
});

describe('lab network addresses', () => {
  it('count up from the first address, skipping .0 and .255', () => {
    assert.deepEqual(loopbackAddresses('127.9.0.253', 4), [
      '127.9.0.253',
      '127.9.0.254',
      '127.9.1.1',
      '127.9.1.2',
    ]);
    assert.throws(() => loopbackAddresses('10.0.0.1', 1));
  });
});

describe('crawl graph export', () => {
  it('writes every node heard of and one edge per pair, as GraphML and as JSON', () => {
    const snapshot = emptySnapshot(Date.UTC(2026, 0, 1));
    const a = 'aa'.repeat(20);
    const b = 'bb'.repeat(20);
    snapshot.nodes['127.0.0.2:1'] = {
      address: '127.0.0.2',
      port: 1,
      family: 4,
      id: a,
      status: 'done',
      client: 'x<y',
    };
    const edge = {
      from: a,
      fromAddress: '127.0.0.2',
      fromPort: 1,
      to: b,
      toAddress: '127.0.0.3',
      toPort: 2,
    };
    const edges = [edge, { ...edge }];
    const graphml = renderGraph(snapshot, edges, 'graphml');
    assert.equal(graphml.match(/<node /g)?.length, 2);
    assert.equal(graphml.match(/<edge /g)?.length, 1);
    assert.match(graphml, /x&#60;y/);
    assert.match(
      graphml,
      new RegExp(
        `<node id="${b}"><data key="address">127.0.0.3</data><data key="port">2</data><data key="reached">false</data>`,
      ),
    );
    const json = JSON.parse(renderGraph(snapshot, edges, 'json')) as {
      snapshot: string;
      nodes: unknown[];
      edges: unknown[];
    };
    assert.equal(json.snapshot, '2026-01-01T00:00:00.000Z');
    assert.equal(json.nodes.length, 2);
    assert.deepEqual(json.edges, [{ from: a, to: b }]);
  });
});

describe("the crawler's hashed key sets", () => {
  it('holds 200,000 distinct keys through its growth and refuses each a second time', () => {
    const set = new HashedKeySet();
    const id = new Uint8Array(20);
    const view = new DataView(id.buffer);
    const keys: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      view.setUint32(0, i);
      view.setUint32(16, i * 7919);
      keys.push(hashKey(id, '10.0.0.1', 6881));
    }
    assert.equal(new Set(keys).size, keys.length, 'no two of these keys share a hash');
    for (const key of keys) assert.equal(set.add(key), true);
    assert.equal(set.size, keys.length);
    for (const key of keys) assert.equal(set.add(key), false, 'already there');
    assert.equal(set.size, keys.length);
    assert.ok(keys.every((key) => set.has(key)));
    assert.equal(set.has(hashKey(new Uint8Array(20).fill(0xff))), false);
  });

  it('tells apart one node id behind two addresses or two ports, and the hash fits 52 bits', () => {
    const id = Uint8Array.from({ length: 20 }, (_, i) => i);
    const keys = [
      hashKey(id, '10.0.0.1', 6881),
      hashKey(id, '10.0.0.2', 6881),
      hashKey(id, '10.0.0.1', 6882),
      hashKey(id, '::1', 6881),
      hashKey(id),
    ];
    assert.equal(new Set(keys).size, keys.length);
    for (const key of keys) assert.ok(Number.isSafeInteger(key) && key >= 0 && key < 2 ** 52);
    assert.equal(hashKey(id, '10.0.0.1', 6881), keys[0], 'the same key hashes the same');
  });
});

describe('BEP 51 bookkeeping', () => {
  const hash = (n: number) => Uint8Array.from({ length: 20 }, () => n);
  const samples = (...ns: number[]) => {
    const out = new Uint8Array(20 * ns.length);
    for (const [i, n] of ns.entries()) out.set(hash(n), i * 20);
    return out;
  };
  const limits = { maxRounds: 3, maxWaitSeconds: 60 };
  const node = (): CrawlNode => ({ address: '127.0.0.2', port: 1, family: 4, status: 'done' });

  it('asks again after `interval` while the node holds more than seen, up to the rounds allowed', () => {
    const n = node();
    const seen = new HashedKeySet();
    const id = new Uint8Array(20);
    const first = foldSample(
      n,
      { id, samples: samples(1, 2), num: 4, interval: 10 },
      seen,
      1_000,
      limits,
    );
    assert.equal(first.fresh.length, 2);
    assert.equal(first.again, 11_000, 'not before the interval');
    const second = foldSample(
      n,
      { id, samples: samples(2, 3), num: 4, interval: 10 },
      seen,
      11_000,
      limits,
    );
    assert.deepEqual(second.fresh, [nodeIdToHex(hash(3))]);
    assert.equal(second.again, 21_000);
    const third = foldSample(
      n,
      { id, samples: samples(3), num: 4, interval: 10 },
      seen,
      21_000,
      limits,
    );
    assert.equal(third.again, undefined, 'three rounds at most');
    assert.deepEqual(n.sample, {
      num: 4,
      interval: 10,
      rounds: 3,
      nextAt: 31_000,
      supported: true,
      seen: 3,
    });
  });

  it('stops once everything is seen, when the interval is too long, or when the node does not speak BEP 51', () => {
    const id = new Uint8Array(20);
    assert.equal(
      foldSample(
        node(),
        { id, samples: samples(1), num: 1, interval: 5 },
        new HashedKeySet(),
        0,
        limits,
      ).again,
      undefined,
    );
    assert.equal(
      foldSample(
        node(),
        { id, samples: samples(1), num: 9, interval: 21_600 },
        new HashedKeySet(),
        0,
        limits,
      ).again,
      undefined,
    );
    const plain = node();
    assert.equal(
      foldSample(plain, { id, nodes: [] }, new HashedKeySet(), 0, limits).again,
      undefined,
    );
    assert.equal(plain.sample?.supported, false);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHex } from '../../src/protocol/hex.ts';
import { encodeKrpc, parseKrpc } from '../../src/protocol/krpc/index.ts';
import type { KrpcMessage } from '../../src/protocol/krpc/types.ts';
import { seededRandomBytes } from '../../src/protocol/random.ts';
import { checkNodeId } from '../../src/protocol/security/bep42.ts';
import { ConfigError, heapLimitMb, resolveConfig } from '../../src/sensor/config.ts';
import {
  bep42SliceId,
  nextRotationDelay,
  planIdentities,
  SOURCE_PORTS,
  sliceId,
} from '../../src/sensor/identities.ts';
import { countDrop, newCounters } from '../../src/sensor/metrics.ts';
import { passiveVerdict } from '../../src/sensor/opsec.ts';
import { renderPrometheus } from '../../src/sensor/prometheus.ts';
import { toEvent } from '../../src/sensor/to-event.ts';

const id = (n: number) => new Uint8Array(20).fill(n);
const t = Uint8Array.of(1, 2);

describe('identities', () => {
  it('plans ports × ids, every slice once, interleaving ports across the keyspace', () => {
    const plans = planIdentities([6881, 6882, 6883], 4);
    assert.equal(plans.length, 12);
    assert.deepEqual(
      plans.map((p) => p.index),
      [...Array(12).keys()],
    );
    assert.deepEqual(
      plans.slice(0, 3).map((p) => p.port),
      [6881, 6882, 6883],
    );
  });

  it('ids land in their own slice, and the sources ports are the 13 documented ones', () => {
    const rng = seededRandomBytes(5);
    const n = 208;
    for (let i = 0; i < n; i++) {
      const first = new DataView(sliceId(i, n, rng).buffer).getUint32(0);
      assert.equal(Math.floor(first / (2 ** 32 / n)), i);
    }
    assert.equal(SOURCE_PORTS.length, 13);
  });

  it('BEP 42 ids are valid for the external address and take the allowed prefix nearest their slice', () => {
    const rng = seededRandomBytes(6);
    const ip = Uint8Array.of(203, 0, 113, 7);
    const prefixes = new Set<number>();
    for (let i = 0; i < 16; i++) {
      const candidate = bep42SliceId(ip, i, 16, rng);
      assert.ok(checkNodeId(candidate, ip).valid);
      prefixes.add(candidate[0]!);
    }
    assert.ok(prefixes.size <= 8, 'BEP 42 allows at most 8 prefixes per address');
  });

  it('rotation delays stay within period ± jitter', () => {
    const rng = seededRandomBytes(7);
    for (let i = 0; i < 200; i++) {
      const d = nextRotationDelay(12 * 3_600_000, 30 * 60_000, rng);
      assert.ok(d >= 12 * 3_600_000 - 30 * 60_000 && d <= 12 * 3_600_000 + 30 * 60_000);
    }
  });
});

describe('the passive verdict', () => {
  const own = new Set([toHex(id(1))]);
  const query = (method: string, args: Record<string, unknown>) =>
    ({ t, y: 'q', method, args }) as unknown as KrpcMessage;

  it('lets answers, pings and find_node of our own ids out', () => {
    assert.ok(passiveVerdict({ t, y: 'r', result: { id: id(1) } }, own).allowed);
    assert.ok(passiveVerdict({ t, y: 'e', code: 203, message: t }, own).allowed);
    assert.ok(passiveVerdict(query('ping', { id: id(1) }), own).allowed);
    assert.ok(passiveVerdict(query('find_node', { id: id(1), target: id(1) }), own).allowed);
  });

  it('stops every other query', () => {
    assert.deepEqual(passiveVerdict(query('find_node', { id: id(1), target: id(2) }), own), {
      allowed: false,
      reason: 'find-node-foreign-target',
    });
    for (const method of [
      'get_peers',
      'announce_peer',
      'sample_infohashes',
      'get',
      'put',
      'unknown',
    ]) {
      assert.equal(
        passiveVerdict(query(method, { id: id(1), infoHash: id(2), target: id(2) }), own).allowed,
        false,
        method,
      );
    }
  });
});

describe('datagram → event', () => {
  const from = { address: '8.8.8.8', port: 51413, family: 4 as const };
  const receiver = { port: 6881, id: toHex(id(9)) };
  const event = (message: KrpcMessage, tokenValid?: boolean) => {
    const datagram = encodeKrpc(message);
    return toEvent(
      {
        atMicros: 1_700_000_000_000_000,
        from,
        datagram,
        result: parseKrpc(datagram),
        ...(tokenValid === undefined ? {} : { tokenValid }),
      },
      receiver,
      { asn: 15169, country: 'US', org: 'Google LLC' },
      false,
    );
  };

  it('get_peers: target, want, scrape, client, BEP 42 verdict, enrichment', () => {
    const e = event({
      t,
      y: 'q',
      v: Uint8Array.of(0x4c, 0x54, 2, 0),
      method: 'get_peers',
      args: { id: id(3), infoHash: id(4), want: ['n4', 'n6'], scrape: true },
    });
    assert.equal(e.kind, 'get_peers');
    assert.equal(e.target, toHex(id(4)));
    assert.equal(e.want, 'n4,n6');
    assert.equal(e.scrape, true);
    assert.equal(e.client, 'libtorrent (Rasterbar) 2.0.0');
    assert.equal(e.bep42, 'invalid');
    assert.equal(e.remoteId, toHex(id(3)));
    assert.equal(e.asn, 15169);
    assert.equal(e.sensorPort, 6881);
  });

  it('announce_peer: port, implied_port, seed, token validity', () => {
    const e = event(
      {
        t,
        y: 'q',
        method: 'announce_peer',
        args: { id: id(3), infoHash: id(4), port: 6881, token: t, impliedPort: true, seed: true },
      },
      false,
    );
    assert.deepEqual(
      [e.kind, e.announcePort, e.impliedPort, e.seed, e.tokenValid],
      ['announce_peer', 6881, true, true, false],
    );
  });

  it('unknown methods keep a printable name, or its hex', () => {
    assert.equal(
      event({ t, y: 'q', method: 'unknown', name: Uint8Array.of(0x76, 0x6f, 0x74, 0x65), args: {} })
        .method,
      'vote',
    );
    assert.equal(
      event({ t, y: 'q', method: 'unknown', name: Uint8Array.of(0, 1), args: {} }).method,
      '0001',
    );
  });

  it('malformed datagrams keep their reason, and their bytes only when sampled', () => {
    const datagram = Uint8Array.of(0x64, 0x31);
    const e = toEvent(
      { atMicros: 1, from, datagram, result: parseKrpc(datagram) },
      receiver,
      {},
      true,
    );
    assert.equal(e.kind, 'malformed');
    assert.equal(e.malformedReason, 'bencode.unexpected-end');
    assert.equal(e.raw, '6431');
    assert.equal(
      toEvent({ atMicros: 1, from, datagram, result: parseKrpc(datagram) }, receiver, {}, false)
        .raw,
      undefined,
    );
  });
});

describe('configuration', () => {
  it('defaults, then the file, then flags', () => {
    const config = resolveConfig({ ports: [7000], idsPerPort: 2 }, { idsPerPort: 3 }, 'test');
    assert.deepEqual(config.ports, [7000]);
    assert.equal(config.idsPerPort, 3);
    assert.equal(config.bind, '0.0.0.0');
  });

  it('the heap ceiling grows with the identities, and can be set or turned off', () => {
    assert.equal(heapLimitMb(resolveConfig({}, {}, 'test')), 384);
    assert.equal(
      heapLimitMb(
        resolveConfig(
          {},
          { ports: [...Array(13).keys()].map((i) => 7000 + i), idsPerPort: 16 },
          'test',
        ),
      ),
      128 + 4 * 208,
    );
    assert.equal(heapLimitMb(resolveConfig({ heapLimitMb: 0 }, {}, 'test')), 0);
  });

  it('a bad value or an unknown key is named, with how to fix it', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ports: [6881, 70000] }, /ports\[1\]/],
      [{ idsPerPort: 0 }, /idsPerPort/],
      [{ bootstrap: ['nohost'] }, /bootstrap\[0\]: expected host:port/],
      [{ colour: 'blue' }, /unknown key\(s\) colour/],
      [{ enrichment: { overlay: 3 } }, /enrichment\.overlay/],
      [{ bep42Ids: true }, /bep42Ids needs externalIp/],
    ];
    for (const [input, pattern] of cases) {
      assert.throws(
        () => resolveConfig(input as never, {}, 'antenna.json'),
        (error: unknown) =>
          error instanceof ConfigError && pattern.test(error.message) && error.hint.length > 0,
        JSON.stringify(input),
      );
    }
  });
});

describe('Prometheus exposition', () => {
  it('renders counters and gauges with HELP and TYPE, drops by reason', () => {
    const counters = newCounters();
    counters.received = 10;
    countDrop(counters, 'queue-full');
    countDrop(counters, 'queue-full');
    const text = renderPrometheus(counters, {
      identities: 16,
      identitiesReachable: 3,
      routingTableNodes: 40,
      kernelDrops: 0,
      eventsPerSecond: 1.5,
    });
    assert.match(
      text,
      /# TYPE dhtscope_datagrams_received_total counter\ndhtscope_datagrams_received_total 10\n/,
    );
    assert.match(text, /dhtscope_drops_total\{reason="queue-full"\} 2\n/);
    assert.match(text, /dhtscope_identities 16\n/);
    assert.ok(text.endsWith('\n'));
  });
});

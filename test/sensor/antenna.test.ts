/**
 * The antenna in one process on loopback: it answers every kind of query,
 * records every datagram (malformed ones too) as an event with the right
 * fields, keeps answering under a fuzzing storm, and — recorded at the
 * node:dgram boundary — never sends anything the passive contract forbids.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { toHex } from '../../src/protocol/hex.ts';
import { parseKrpc } from '../../src/protocol/krpc/index.ts';
import type { KrpcMessage } from '../../src/protocol/krpc/types.ts';
import { Antenna } from '../../src/sensor/antenna.ts';
import { resolveConfig } from '../../src/sensor/config.ts';
import { silentLogger } from '../../src/sensor/log.ts';
import { StoreReader } from '../../src/store/index.ts';
import { KrpcClient } from '../helpers/krpc-client.ts';
import { freeUdpPorts } from '../helpers/ports.ts';
import { krpcMessage } from '../protocol/krpc/arbitraries.ts';

/** Every datagram any socket of this process sends, with the sending port: the opsec record. */
const sentLog: { fromPort: number; to: string; data: Uint8Array }[] = [];
const tcpConnects: string[] = [];
const originalSend = dgram.Socket.prototype.send;
const originalConnect = net.Socket.prototype.connect;

const root = mkdtempSync(join(tmpdir(), 'dhtscope-antenna-'));
const dataDir = join(root, 'data');
let antenna: Antenna;
let ports: number[];
let client: KrpcClient;
const id = (n: number) => new Uint8Array(20).fill(n);

before(async () => {
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    const data = args[0] as Uint8Array;
    const port = args.find((a, i) => i > 0 && typeof a === 'number') as number;
    sentLog.push({ fromPort: this.address().port, to: String(port), data: new Uint8Array(data) });
    return (originalSend as (...a: unknown[]) => void).apply(this, args);
  } as typeof dgram.Socket.prototype.send;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    tcpConnects.push(JSON.stringify(args[0]));
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;

  client = await KrpcClient.open();
  ports = await freeUdpPorts(2);
  const config = resolveConfig(
    {},
    {
      dataDir,
      bind: '127.0.0.1',
      ports,
      idsPerPort: 3,
      bootstrap: [`127.0.0.1:${client.port}`],
      malformedSampleRate: 1,
      enrichment: { builtin: false },
    },
    'test',
  );
  antenna = await Antenna.start(config, { log: silentLogger });
});

after(async () => {
  await antenna?.stop();
  await client?.close();
  dgram.Socket.prototype.send = originalSend;
  net.Socket.prototype.connect = originalConnect;
  rmSync(root, { recursive: true, force: true });
});

async function storedEvents(sql: string): Promise<Record<string, unknown>[]> {
  const reader = await StoreReader.open(dataDir);
  try {
    return (await reader.query(sql)).rows;
  } finally {
    reader.close();
  }
}

describe('antenna', () => {
  it('answers ping, find_node, get_peers (nodes and a token, no peers), announce_peer and sample_infohashes', async () => {
    const t = (n: number) => Uint8Array.of(0x7a, n);
    const queries: KrpcMessage[] = [
      { t: t(1), y: 'q', method: 'ping', args: { id: id(1) } },
      { t: t(2), y: 'q', method: 'find_node', args: { id: id(1), target: id(2) } },
      { t: t(3), y: 'q', method: 'get_peers', args: { id: id(1), infoHash: id(3) } },
      { t: t(4), y: 'q', method: 'sample_infohashes', args: { id: id(1), target: id(4) } },
    ];
    for (const q of queries) client.send(q, ports[0]!);
    await client.until(() => client.received.filter((r) => r.message.t[0] === 0x7a).length >= 4);
    const answers = new Map(
      client.received
        .filter((r) => r.message.t[0] === 0x7a)
        .map((r) => [r.message.t[1], r.message]),
    );
    for (const n of [1, 2, 3, 4]) assert.equal(answers.get(n)?.y, 'r', `query ${n} was answered`);
    const getPeers = answers.get(3)!;
    assert.ok(
      getPeers.y === 'r' &&
        getPeers.result.token !== undefined &&
        getPeers.result.values === undefined,
    );
    const sample = answers.get(4)!;
    assert.ok(sample.y === 'r' && sample.result.samples?.length === 0 && sample.result.num === 0);

    // announce_peer with the token we were given: accepted, and nothing is ever served for it.
    const token = getPeers.y === 'r' ? getPeers.result.token! : new Uint8Array();
    client.send(
      {
        t: t(5),
        y: 'q',
        method: 'announce_peer',
        args: { id: id(1), infoHash: id(3), port: 6881, token, impliedPort: false },
      },
      ports[0]!,
    );
    client.send(
      {
        t: t(6),
        y: 'q',
        method: 'announce_peer',
        args: {
          id: id(1),
          infoHash: id(3),
          port: 6881,
          token: Uint8Array.of(9),
          impliedPort: false,
        },
      },
      ports[0]!,
    );
    client.send(
      { t: t(7), y: 'q', method: 'get_peers', args: { id: id(1), infoHash: id(3) } },
      ports[0]!,
    );
    await client.until(() =>
      [5, 6, 7].every((n) =>
        client.received.some((r) => r.message.t[0] === 0x7a && r.message.t[1] === n),
      ),
    );
    const byT = (n: number) =>
      client.received.find((r) => r.message.t[0] === 0x7a && r.message.t[1] === n)!.message;
    assert.equal(byT(5).y, 'r');
    assert.ok(
      byT(6).y === 'e' && byT(6).y === 'e' && (byT(6) as { code: number }).code === 203,
      'a bad token is refused',
    );
    const after = byT(7);
    assert.ok(
      after.y === 'r' && after.result.values === undefined,
      'an announced peer is never served',
    );
  });

  it('records every datagram as an event with the right fields', async () => {
    client.send(Uint8Array.of(0x64, 0x31, 0x3a), ports[1]!); // malformed
    await new Promise((r) => setTimeout(r, 400)); // one journal flush
    const rows = await storedEvents(
      `SELECT kind, target, remote_id, remote_port, announce_port, token_valid, malformed_reason, raw FROM events WHERE remote_port = ${client.port} ORDER BY ts`,
    );
    const kinds = rows.map((r) => r.kind);
    for (const kind of [
      'ping',
      'find_node',
      'get_peers',
      'sample_infohashes',
      'announce_peer',
      'malformed',
    ]) {
      assert.ok(kinds.includes(kind), `an event of kind ${kind}`);
    }
    const getPeers = rows.find((r) => r.kind === 'get_peers')!;
    assert.equal(getPeers.target, toHex(id(3)));
    assert.equal(getPeers.remote_id, toHex(id(1)));
    const announces = rows.filter((r) => r.kind === 'announce_peer');
    assert.deepEqual(
      announces.map((r) => r.token_valid),
      [true, false],
    );
    assert.equal(Number(announces[0]!.announce_port), 6881);
    const malformed = rows.find((r) => r.kind === 'malformed')!;
    assert.equal(malformed.malformed_reason, 'bencode.unexpected-end');
    assert.equal(malformed.raw, '64313a');
  });

  it('keeps answering through a storm of random and mutated datagrams, and records the malformed ones', async () => {
    const storm = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        krpcMessage.map((m) => {
          const bytes = Buffer.from(
            JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? [...v] : v)),
          );
          return new Uint8Array(bytes.subarray(0, 150));
        }),
      ),
      { numRuns: 3000, seed: 0xf422 },
    );
    const before = (
      await storedEvents(`SELECT count(*) AS n FROM events WHERE kind = 'malformed'`)
    )[0]!.n;
    for (const [i, datagram] of storm.entries()) {
      client.send(datagram.length === 0 ? Uint8Array.of(0) : datagram, ports[i % 2]!);
      // Paced, so the kernel's socket buffer does not overflow (the antenna can only record what arrives).
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 2));
    }
    // The storm's sender is rate-limited now (as it should be); another address still gets answers.
    const other = await KrpcClient.open('127.0.0.2');
    try {
      for (const port of ports)
        other.send(
          { t: Uint8Array.of(0x70, port & 0xff), y: 'q', method: 'ping', args: { id: id(7) } },
          port,
        );
      await other.until(
        () =>
          other.received.filter((r) => r.message.y === 'r' && r.message.t[0] === 0x70).length ===
          ports.length,
      );
    } finally {
      await other.close();
    }
    await new Promise((r) => setTimeout(r, 400));
    const afterCount = (
      await storedEvents(`SELECT count(*) AS n FROM events WHERE kind = 'malformed'`)
    )[0]!.n;
    assert.ok(
      Number(afterCount) - Number(before) > 1500,
      `malformed datagrams recorded: ${Number(afterCount) - Number(before)}`,
    );
    assert.equal(
      antenna.counters.received,
      antenna.counters.recorded,
      'every datagram received was recorded',
    );
  });

  it('sent nothing the passive contract forbids, and opened no TCP connection (recorded at node:dgram)', () => {
    const ids = new Set(antenna.ids);
    const fromSensor = sentLog.filter((s) => ports.includes(s.fromPort));
    assert.ok(fromSensor.length > 10, `the sensor sent ${fromSensor.length} datagrams`);
    let queries = 0;
    for (const sent of fromSensor) {
      const result = parseKrpc(sent.data);
      assert.ok(result.ok, 'the sensor sends only well-formed KRPC');
      const message = result.message;
      if (message.y !== 'q') continue;
      queries++;
      assert.ok(
        message.method === 'ping' || message.method === 'find_node',
        `the sensor sent a ${message.method} query`,
      );
      if (message.method === 'find_node')
        assert.ok(ids.has(toHex(message.args.target)), 'find_node only for its own ids');
    }
    assert.ok(queries > 0, 'the sensor bootstrapped (pings or find_node of its ids)');
    assert.deepEqual(tcpConnects, []);
  });
});

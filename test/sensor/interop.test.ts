/**
 * Interop with a third-party implementation: instances of webtorrent's
 * bittorrent-dht on loopback, bootstrapped to the antenna, look up and
 * announce infohashes. The store then holds their find_node, get_peers,
 * announce_peer (with a valid token) and ping events, with the right
 * infohashes, ports and node ids.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Antenna } from '../../src/sensor/antenna.ts';
import { resolveConfig } from '../../src/sensor/config.ts';
import { silentLogger } from '../../src/sensor/log.ts';
import { StoreReader } from '../../src/store/index.ts';
import { announce, lookup, startSwarm } from '../helpers/bittorrent-dht-swarm.ts';
import { freeUdpPorts } from '../helpers/ports.ts';

const root = mkdtempSync(join(tmpdir(), 'dhtscope-interop-'));
const dataDir = join(root, 'data');
let antenna: Antenna;
let ports: number[];

before(async () => {
  ports = await freeUdpPorts(2);
  // The antenna's own bootstrap is empty here: the swarm comes to it.
  antenna = await Antenna.start(
    resolveConfig(
      {},
      {
        dataDir,
        bind: '127.0.0.1',
        ports,
        idsPerPort: 1,
        bootstrap: ['127.0.0.1:9'],
        enrichment: { builtin: false },
      },
      'test',
    ),
    { log: silentLogger },
  );
});

after(async () => {
  await antenna?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('antenna ↔ bittorrent-dht', () => {
  it('records the lookups and announces of real DHT clients', async () => {
    const swarm = await startSwarm({
      count: 6,
      bootstrap: ports.map((p) => `127.0.0.1:${p}`),
      queryTimeoutMs: 500,
    });
    const infoHashes = [1, 2, 3].map((n) => new Uint8Array(20).fill(0x40 + n));
    try {
      for (const [i, infoHash] of infoHashes.entries()) {
        await lookup(swarm.nodes[i]!, infoHash, 3000);
        await announce(swarm.nodes[i + 3]!, infoHash, 50_000 + i, 3000);
      }
      // addNode without an id pings the address to learn the id behind it.
      for (const port of ports) swarm.nodes[5]!.dht.addNode({ host: '127.0.0.1', port });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await swarm.close();
    }
    await antenna.stop(); // flushes and rotates everything into Parquet
    const reader = await StoreReader.open(dataDir);
    try {
      const { rows } = await reader.query(
        'SELECT kind, target, remote_id, remote_port, announce_port, token_valid, sensor_port FROM events',
      );
      const swarmIds = new Set(swarm.nodes.map((n) => n.id));
      const swarmPorts = new Set(swarm.nodes.map((n) => n.port));
      const kinds = new Set(rows.map((r) => r.kind));
      for (const kind of ['ping', 'find_node', 'get_peers', 'announce_peer'])
        assert.ok(kinds.has(kind), `a ${kind} event`);
      for (const row of rows.filter((r) => r.kind !== 'response' && r.kind !== 'error')) {
        assert.ok(swarmIds.has(String(row.remote_id)), 'the sender id is a swarm node id');
        assert.ok(swarmPorts.has(Number(row.remote_port)), 'the sender port is a swarm node port');
        assert.ok(ports.includes(Number(row.sensor_port)));
      }
      for (const [i, infoHash] of infoHashes.entries()) {
        const hex = Buffer.from(infoHash).toString('hex');
        assert.ok(
          rows.some((r) => r.kind === 'get_peers' && r.target === hex),
          `get_peers for infohash ${i}`,
        );
        const announces = rows.filter((r) => r.kind === 'announce_peer' && r.target === hex);
        assert.ok(announces.length > 0, `announce_peer for infohash ${i}`);
        for (const a of announces) {
          assert.equal(Number(a.announce_port), 50_000 + i);
          assert.equal(a.token_valid, true, 'the token we handed out was accepted back');
        }
      }
    } finally {
      reader.close();
    }
  });
});

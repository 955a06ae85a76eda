/**
 * The active tools against a third-party DHT: webtorrent's `bittorrent-dht`
 * on loopback, on a few 127.x addresses (two instances each). `lookup` finds
 * the peer one of them announced; `crawl` reaches all of them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StoreReader } from '../../src/store/reader.ts';
import {
  addressOf,
  announce,
  type Swarm,
  type SwarmNode,
  startSwarm,
} from '../helpers/bittorrent-dht-swarm.ts';
import { runCli } from '../helpers/cli.ts';

describe('active tools against bittorrent-dht', () => {
  const swarms: Swarm[] = [];
  let nodes: SwarmNode[] = [];
  let dir: string;
  const infoHash = Uint8Array.from({ length: 20 }, (_, i) => 0xa0 + i);

  before(async () => {
    const first = await startSwarm({
      count: 1,
      host: '127.64.0.1',
      bootstrap: [],
      queryTimeoutMs: 500,
    });
    swarms.push(first);
    for (let host = 2; host <= 4; host++) {
      swarms.push(
        await startSwarm({
          count: 2,
          host: `127.64.0.${host}`,
          bootstrap: [addressOf(first.nodes[0]!)],
          queryTimeoutMs: 500,
        }),
      );
    }
    nodes = swarms.flatMap((s) => s.nodes);
    const acked = await announce(nodes.at(-1)!, infoHash, 7000);
    assert.ok(acked > 0, 'the announce reached some bittorrent-dht node');
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-interop-'));
  });
  after(async () => {
    await Promise.all(swarms.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lookup finds the peer bittorrent-dht announced', async () => {
    const run = await runCli([
      'lookup',
      Buffer.from(infoHash).toString('hex'),
      '--bootstrap',
      addressOf(nodes[0]!),
      '--bind',
      '127.0.0.1',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { peers: { address: string; port: number }[] };
    const announcer = nodes.at(-1)!;
    assert.deepEqual(result.peers, [{ address: announcer.host, port: 7000 }]);
  });

  it('crawl reaches every bittorrent-dht node', async () => {
    const data = join(dir, 'data');
    const run = await runCli([
      'crawl',
      '--bootstrap',
      addressOf(nodes[0]!),
      '--bind',
      '127.0.0.1',
      '--data-dir',
      data,
      '--per-address',
      '4',
      '--timeout',
      '500',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const reader = await StoreReader.open(data);
    try {
      const rows = (await reader.query('SELECT node_id, ip, port, client FROM crawl_nodes')).rows;
      const found = new Set(rows.map((r) => `${r.node_id}@${r.ip}:${r.port}`));
      for (const node of nodes)
        assert.ok(found.has(`${node.id}@${node.host}:${node.port}`), `crawl missed ${node.id}`);
      // bittorrent-dht sends no `v`.
      assert.ok(rows.every((r) => r.client === null));
    } finally {
      reader.close();
    }
  });
});

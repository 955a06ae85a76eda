/**
 * `dhtscope watch` on a lab network: lab nodes search and announce infohashes
 * at the watch's identities; it prints one line per new infohash with its
 * source, and records the events into the store like the antenna.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InfohashWatch } from '../../src/active/watch.ts';
import { LabNetwork } from '../../src/lab/network.ts';
import { nodeIdToHex } from '../../src/protocol/kademlia/index.ts';
import { StoreReader } from '../../src/store/reader.ts';
import type { EventRecord } from '../../src/store/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { freeUdpPorts } from '../helpers/ports.ts';

describe('dhtscope watch on a lab network', () => {
  let lab: LabNetwork;
  let dir: string;

  before(async () => {
    lab = await LabNetwork.start({ nodes: 20, port: 0, firstAddress: '127.65.0.1', seed: 65 });
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-watch-'));
  });
  after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints each new infohash searched or announced at it, with its source, and records the events', async () => {
    const [port] = await freeUdpPorts(1);
    const data = join(dir, 'data');
    const running = runCli([
      'watch',
      '--bootstrap',
      `${lab.bootstrap.address}:${lab.bootstrap.port}`,
      '--bind',
      '127.0.0.1',
      '--ports',
      String(port),
      '--ids-per-port',
      '1',
      '--duration',
      '3',
      '--data-dir',
      data,
    ]);
    const watcher = { address: '127.0.0.1', port: port! };
    const asker = lab.nodes[3]!;
    // Wait for the identity to answer, then search two infohashes and announce one.
    for (let i = 0; ; i++) {
      try {
        await asker.ping(watcher);
        break;
      } catch (error) {
        if (i > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const searched = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
    const announced = Uint8Array.from({ length: 20 }, (_, i) => 200 - i);
    await asker.getPeers(watcher, searched);
    await asker.getPeers(watcher, searched);
    const answer = await lab.nodes[5]!.getPeers(watcher, announced);
    await lab.nodes[5]!.announcePeer(watcher, announced, answer.result.token!, { port: 6999 });
    const run = await running;
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 2, run.stdout);
    assert.match(
      lines[0]!,
      new RegExp(
        `${nodeIdToHex(searched)}\\s+search\\s+from ${asker.local.address}:${asker.local.port}`,
      ),
    );
    assert.match(
      lines[1]!,
      new RegExp(`${nodeIdToHex(announced)}\\s+search\\s+from ${lab.nodes[5]!.local.address}:`),
    );

    const reader = await StoreReader.open(data);
    try {
      const rows = (
        await reader.query(
          `SELECT kind, count(*) AS n FROM events WHERE kind IN ('get_peers', 'announce_peer') GROUP BY kind ORDER BY kind`,
        )
      ).rows;
      assert.deepEqual(
        rows.map((r) => [r.kind, Number(r.n)]),
        [
          ['announce_peer', 1],
          ['get_peers', 3],
        ],
      );
    } finally {
      reader.close();
    }
  });
});

describe('InfohashWatch', () => {
  const event = (over: Partial<EventRecord>): EventRecord =>
    ({
      ts: 1_000_000,
      remoteIp: '127.0.0.9',
      remotePort: 6881,
      kind: 'get_peers',
      target: 'aa'.repeat(20),
      ...over,
    }) as EventRecord;

  it('counts searches, valid announces and distinct sources; ranks by sources', () => {
    const watch = new InfohashWatch();
    assert.equal(watch.record(event({}))?.news, true);
    assert.equal(watch.record(event({ remoteIp: '127.0.0.10' }))?.news, false);
    assert.equal(watch.record(event({ kind: 'announce_peer', tokenValid: false })), undefined);
    watch.record(event({ kind: 'announce_peer', tokenValid: true }));
    watch.record(event({ target: 'bb'.repeat(20) }));
    assert.equal(watch.record(event({ kind: 'find_node', target: 'cc'.repeat(20) })), undefined);
    const [first, second] = watch.top(5);
    assert.deepEqual(
      [first!.infohash, first!.searches, first!.announces, first!.sources],
      ['aa'.repeat(20), 2, 1, 2],
    );
    assert.equal(second!.infohash, 'bb'.repeat(20));
    assert.equal(watch.size, 2);
  });

  it('forgets the least recently heard infohash past its bound', () => {
    const watch = new InfohashWatch(2);
    watch.record(event({ target: '01'.repeat(20) }));
    watch.record(event({ target: '02'.repeat(20) }));
    watch.record(event({ target: '01'.repeat(20) }));
    watch.record(event({ target: '03'.repeat(20) }));
    assert.deepEqual(
      watch
        .top(5)
        .map((e) => e.infohash)
        .sort(),
      ['01'.repeat(20), '03'.repeat(20)],
    );
  });
});

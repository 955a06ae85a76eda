/**
 * `dhtscope crawl` against a lab network of our own engine on loopback. The
 * lab's nodes measure the crawler themselves: every datagram they receive is
 * counted per source address and sliding second, and every sample_infohashes
 * query is timed, so politeness and BEP 51 `interval` are checked where a
 * remote node would check them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptySnapshot } from '../../src/active/crawl-model.ts';
import { CrawlStore } from '../../src/active/crawl-store.ts';
import { crawl } from '../../src/active/crawler.ts';
import { openActive } from '../../src/active/setup.ts';
import { LabNetwork } from '../../src/lab/network.ts';
import { labNetworkOverlay } from '../../src/lab/network-overlay.ts';
import { overlayCsv } from '../../src/lab/overlay-file.ts';
import { nodeIdToHex } from '../../src/protocol/kademlia/index.ts';
import { StoreReader } from '../../src/store/reader.ts';
import { runCli } from '../helpers/cli.ts';

const PER_ADDRESS = 4;
const INTERVAL_SECONDS = 1;

describe('dhtscope crawl on a lab network', () => {
  let lab: LabNetwork;
  let dir: string;
  /** sample_infohashes arrival times per lab node. */
  const sampleTimes = new Map<string, number[]>();

  before(async () => {
    lab = await LabNetwork.start({
      nodes: 150,
      port: 0,
      firstAddress: '127.62.0.1',
      swarms: 5,
      // About 8 × 400 / 150 ≈ 21 infohashes per node: more than one sample (20) holds.
      stored: 400,
      sampleIntervalSeconds: INTERVAL_SECONDS,
      meter: true,
      seed: 62,
    });
    for (const node of lab.nodes) {
      const times: number[] = [];
      sampleTimes.set(node.local.address, times);
      node.onInbound((inbound) => {
        if (
          inbound.result.ok &&
          inbound.result.message.y === 'q' &&
          inbound.result.message.method === 'sample_infohashes'
        )
          times.push(inbound.receivedAt);
      });
    }
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-crawl-'));
  });
  after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps ≥ 99 % of the nodes, politely, recovers the stored infohashes, honours interval', async () => {
    const bootstrap = `${lab.bootstrap.address}:${lab.bootstrap.port}`;
    const graph = join(dir, 'crawl.json');
    const overlay = join(dir, 'overlay.csv');
    writeFileSync(overlay, overlayCsv(labNetworkOverlay(lab.nodes.map((n) => n.local.address))));
    const run = await runCli([
      'crawl',
      '--bootstrap',
      bootstrap,
      '--bind',
      '127.0.0.1',
      '--data-dir',
      join(dir, 'data'),
      '--per-address',
      String(PER_ADDRESS),
      '--rate',
      '2000',
      '--sample-infohashes',
      '--export',
      'json',
      '--out',
      graph,
      '--overlay',
      overlay,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /active tool/);

    const reader = await StoreReader.open(join(dir, 'data'));
    try {
      const nodes = (
        await reader.query(
          'SELECT node_id, ip, port, family, snapshot, first_seen, last_seen FROM crawl_nodes',
        )
      ).rows;
      const truth = new Set(
        lab.nodes.map((n) => `${nodeIdToHex(n.id)}@${n.local.address}:${n.local.port}`),
      );
      const found = new Set(nodes.map((r) => `${r.node_id}@${r.ip}:${r.port}`));
      const matched = [...truth].filter((t) => found.has(t)).length;
      assert.ok(
        matched >= Math.ceil(0.99 * truth.size),
        `crawl found ${matched} of ${truth.size} lab nodes`,
      );
      assert.equal(found.size, nodes.length, 'one row per node in a snapshot');
      assert.ok(nodes.every((r) => Number(r.family) === 4));
      // The lab's overlay puts every node somewhere: the map has something to draw.
      const placed = (
        await reader.query(
          'SELECT count(*) AS n, count(DISTINCT asn) AS asns FROM crawl_nodes WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND country IS NOT NULL',
        )
      ).rows[0]!;
      assert.equal(Number(placed.n), nodes.length);
      assert.equal(Number(placed.asns), 12);

      const sampled = new Set(
        (await reader.query('SELECT DISTINCT infohash FROM sampled_infohashes')).rows.map(
          (r) => r.infohash as string,
        ),
      );
      const missing = lab.infoHashes.map(nodeIdToHex).filter((h) => !sampled.has(h));
      assert.deepEqual(missing, [], 'every infohash the lab stores is sampled');

      const edges = (await reader.query('SELECT count(*) AS n FROM crawl_edges')).rows[0]!.n;
      assert.ok(Number(edges) > lab.nodes.length);
    } finally {
      reader.close();
    }

    // Politeness, as each lab node saw it: never more than the budget from us in any second.
    const crawler = '127.0.0.1';
    for (const [address, meter] of lab.meters) {
      assert.ok(
        meter.peakPerSecond(crawler) <= PER_ADDRESS,
        `${address} got ${meter.peakPerSecond(crawler)} packets in one second`,
      );
    }
    assert.ok(lab.peakPerSecondFrom(crawler) >= 2, 'the meter saw the crawl at all');

    // BEP 51 interval: a node is sampled again only after it, and nodes holding more were.
    let resampled = 0;
    for (const times of sampleTimes.values()) {
      for (let i = 1; i < times.length; i++)
        assert.ok(
          times[i]! - times[i - 1]! >= INTERVAL_SECONDS * 1000 - 2,
          `sampled again after ${times[i]! - times[i - 1]!} ms`,
        );
      if (times.length > 1) resampled++;
    }
    assert.ok(resampled > 0, 'some node was sampled more than once');

    const exported = JSON.parse(readFileSync(graph, 'utf8')) as {
      nodes: { id: string }[];
      edges: unknown[];
    };
    assert.ok(exported.nodes.length >= lab.nodes.length * 0.99);
    assert.ok(exported.edges.length > 0);
  });

  it('says so when no node answers, and writes nothing', async () => {
    const run = await runCli([
      'crawl',
      '--bootstrap',
      '127.62.255.254:9',
      '--bind',
      '127.0.0.1',
      '--timeout',
      '100',
      '--data-dir',
      join(dir, 'silent'),
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /no node answered/);
    assert.equal(new CrawlStore(join(dir, 'silent')).loadState(), undefined);
  });

  it('resumes an interrupted crawl in the same snapshot', async () => {
    const store = new CrawlStore(join(dir, 'resume'));
    const opened = await openActive({
      bootstrap: [`${lab.bootstrap.address}:${lab.bootstrap.port}`],
      bind: '127.0.0.1',
      // Politeness is measured above; here only the resumption matters.
      politeness: { perAddress: 50, global: 5000, guardMs: 0 },
    });
    assert.ok(opened.ok);
    const { setup } = opened;
    try {
      const abort = new AbortController();
      const first = emptySnapshot(Date.now());
      const sink = store.openSink(first, true);
      setTimeout(() => abort.abort(), 600);
      const interrupted = await crawl({
        queriers: setup.queriers,
        bootstrap: setup.bootstrap,
        snapshot: first,
        sink,
        signal: abort.signal,
      });
      assert.equal(interrupted.aborted, true);
      store.saveState(first, sink);
      const edgesBefore = first.edges;
      assert.ok(edgesBefore > 0);
      const resumed = store.loadState();
      assert.ok(resumed !== undefined);
      assert.equal(resumed.snapshot, first.snapshot);
      const pendingBefore = Object.values(resumed.nodes).filter(
        (n) => n.status === 'pending',
      ).length;
      assert.ok(pendingBefore > 0, 'the interruption left work to resume');
      const resumedSink = store.openSink(resumed, false);
      const done = await crawl({
        queriers: setup.queriers,
        bootstrap: setup.bootstrap,
        snapshot: resumed,
        sink: resumedSink,
      });
      assert.equal(done.aborted, false);
      resumedSink.flush();
      const reached = Object.values(resumed.nodes).filter((n) => n.status === 'done').length;
      assert.ok(reached >= Math.ceil(0.99 * lab.nodes.length), `resumed crawl reached ${reached}`);
      const written = await store.writeSnapshot(resumed, undefined);
      assert.equal(written.nodes, reached);
      // The edges of both runs, each once.
      assert.ok(written.edges >= edgesBefore && written.edges <= resumed.edges);
      assert.equal(store.readEdges().length, resumed.edges);
      store.dropState();
      assert.equal(store.loadState(), undefined);
    } finally {
      await setup.close();
    }
  });
});

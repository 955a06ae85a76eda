/**
 * `dhtscope map` as a user runs it: a file from a store with one crawl
 * snapshot, the warning for addresses it cannot place and the overlay that
 * places them, clear errors for an empty store and bad flags, and `--live`
 * serving until SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptySnapshot } from '../../src/active/crawl-model.ts';
import { CrawlStore } from '../../src/active/crawl-store.ts';
import { createEnricher } from '../../src/enrich/index.ts';
import { Journal, openDataDir, SYSTEM_METRICS } from '../../src/store/index.ts';
import { runCli } from '../helpers/cli.ts';

const START = Date.UTC(2026, 0, 5);

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dhtscope map', () => {
  let dir: string;
  let data: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-map-cli-'));
    data = join(dir, 'data');
    const snapshot = emptySnapshot(START);
    for (const [i, address] of ['198.51.100.1', '198.51.100.2', '203.0.113.9'].entries())
      snapshot.nodes[`${address}:6881`] = {
        address,
        port: 6881,
        family: 4,
        id: (i + 1).toString(16).padStart(40, '0'),
        status: 'done',
        firstSeen: START + i * 1000,
        lastSeen: START + i * 1000,
      };
    // The crawl's enricher places 198.51.100.0/24 only.
    const placed = createEnricher({
      builtin: false,
      overlay: [
        { cidr: '198.51.100.0/24', asn: 64_600, country: 'DE', latitude: 50.1, longitude: 8.7 },
      ],
    });
    await new CrawlStore(data).writeSnapshot(snapshot, placed);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one HTML file and says what it could not place', async () => {
    const out = join(dir, 'map.html');
    const made = await runCli(['map', '--data-dir', data, '--out', out]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /map written to .*map\.html \(\d+ kB\)/);
    assert.match(
      made.stderr,
      /2 addresses placed, 2 seen within 6 h of the last sighting, 1 crawl snapshot\b/,
    );
    assert.match(made.stderr, /1 addresses have no coordinates and are not drawn: give --overlay/);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /<title>dhtscope map: crawled DHT nodes<\/title>/);
    assert.match(html, /"unplaced":1/);
  });

  it('--overlay places what the crawl could not', async () => {
    const overlay = join(dir, 'overlay.csv');
    writeFileSync(
      overlay,
      'cidr,asn,org,country,city,latitude,longitude,label\n203.0.113.0/24,64601,Far away,NZ,Wellington,-41.29,174.78,\n',
    );
    const out = join(dir, 'placed.html');
    const made = await runCli(['map', '--data-dir', data, '--out', out, '--overlay', overlay]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /3 addresses placed/);
    assert.doesNotMatch(made.stderr, /no coordinates/);
  });

  it('an empty store and bad flags are clear errors', async () => {
    const empty = join(dir, 'empty');
    const journal = await Journal.open(openDataDir(empty, { create: true }), SYSTEM_METRICS);
    await journal.close();
    const none = await runCli(['map', '--data-dir', empty, '--out', join(dir, 'none.html')]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no nodes to draw/);
    assert.match(none.stderr, /hint: run `dhtscope crawl`/);
    const bad = await runCli(['map', '--data-dir', data, '--half-life-min', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--half-life-min soon must be a number above 0/);
    const port = await runCli(['map', '--data-dir', data, '--live', '--port', '70000']);
    assert.equal(port.code, 2);
    // Flags that would be ignored are refused instead.
    const liveOnly = await runCli(['map', '--data-dir', data, '--port', '8080', '--host', '::1']);
    assert.equal(liveOnly.code, 2);
    assert.match(liveOnly.stderr, /--port and --host go with --live/);
    // 192.0.2.0/24 is documentation space, never an address of this machine: bind fails locally.
    const notHere = await runCli(['map', '--data-dir', data, '--live', '--host', '192.0.2.55']);
    assert.equal(notHere.code, 1);
    assert.match(notHere.stderr, /hint: give --host an address of this machine/);
    const both = await runCli(['map', '--data-dir', data, '--live', '--out', 'x.html']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /choose one/);
  });

  it('--live serves the page and its data until SIGTERM', async () => {
    const port = await freeTcpPort();
    const running = runCli([
      'map',
      '--data-dir',
      data,
      '--live',
      '--port',
      String(port),
      '--refresh-sec',
      '2',
    ]);
    const url = `http://127.0.0.1:${port}/`;
    let page: Response | undefined;
    for (let attempt = 0; attempt < 100 && page === undefined; attempt++) {
      page = await fetch(url).catch(() => undefined);
      if (page === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(page !== undefined, 'the live map answers');
    assert.match(await page.text(), /"live":true,"refreshMs":2000/);
    const json = (await (await fetch(`${url}data.json`)).json()) as { nodes: unknown[] };
    assert.equal(json.nodes.length, 2);
    // A second map cannot take the same port: a clear error, not a crash.
    const clash = await runCli(['map', '--data-dir', data, '--live', '--port', String(port)]);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /cannot listen on 127\.0\.0\.1:\d+/);
    process.emit('SIGTERM');
    const done = await running;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, new RegExp(`live map on ${url.replaceAll('.', '\\.')}`));
    await assert.rejects(fetch(url));
  });
});

/**
 * The map in a real browser: a lab network of our own engine on loopback is
 * crawled with `dhtscope crawl` (placed by the lab's overlay), `dhtscope map`
 * writes the page, and headless Chromium (Debian's `chromium` package,
 * driven by playwright-core) opens it: every node within the cutoff is a dot,
 * the time slider changes what is drawn, nothing is fetched from anywhere,
 * and a live map picks up a new snapshot by itself. The screenshot is kept in
 * test-artifacts/map.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { emptySnapshot } from '../../src/active/crawl-model.ts';
import { CrawlStore } from '../../src/active/crawl-store.ts';
import { createEnricher } from '../../src/enrich/index.ts';
import { LabNetwork } from '../../src/lab/network.ts';
import { labNetworkOverlay } from '../../src/lab/network-overlay.ts';
import { overlayCsv } from '../../src/lab/overlay-file.ts';
import { MAP_DEFAULTS } from '../../src/report/map/decay.ts';
import { readPageData, renderMapPage, startMapServer } from '../../src/report/map/index.ts';
import { dotsAt } from '../../src/report/map/page-data.ts';
import { StoreReader } from '../../src/store/reader.ts';
import { runCli } from '../helpers/cli.ts';

const NODES = 40;
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

describe('dhtscope map in headless Chromium', () => {
  let lab: LabNetwork;
  let dir: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    lab = await LabNetwork.start({
      nodes: NODES,
      port: 0,
      firstAddress: '127.64.0.1',
      swarms: 1,
      stored: 0,
      seed: 64,
    });
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-map-browser-'));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    page = await browser.newPage({ viewport: { width: 1400, height: 760 } });
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
  });
  after(async () => {
    await browser?.close();
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every crawled node within the cutoff, and the slider plays them back', async () => {
    const overlay = join(dir, 'overlay.csv');
    writeFileSync(overlay, overlayCsv(labNetworkOverlay(lab.nodes.map((n) => n.local.address))));
    const data = join(dir, 'data');
    const crawl = await runCli([
      'crawl',
      '--bootstrap',
      `${lab.bootstrap.address}:${lab.bootstrap.port}`,
      '--bind',
      '127.0.0.1',
      '--rate',
      '2000',
      '--overlay',
      overlay,
      '--data-dir',
      data,
    ]);
    assert.equal(crawl.code, 0, crawl.stderr);

    // A cutoff of half the crawl's span of answers: the nodes answering in its first half are out.
    const reader = await StoreReader.open(data);
    const [span] = (
      await reader.query(
        'SELECT epoch_ms(min(last_seen)) AS first, epoch_ms(max(last_seen)) AS last, count(DISTINCT ip) AS n FROM crawl_nodes',
      )
    ).rows as { first: string; last: string; n: string }[];
    // Ages are whole ms: a cutoff half-way between two of them cannot tie, whatever the
    // rounding of ms → hours on the command line → ms in the page.
    const cutoffMs = Math.round((Number(span!.last) - Number(span!.first)) / 2) + 0.5;
    const cutoffHours = cutoffMs / 3_600_000;
    const [within] = (
      await reader.query(
        `SELECT count(DISTINCT ip) AS n FROM crawl_nodes WHERE epoch_ms(last_seen) >= ${Number(span!.last) - cutoffMs}`,
      )
    ).rows as { n: string }[];
    const expected = Number(within!.n);
    assert.ok(Number(span!.n) >= NODES * 0.99, `the crawl reached ${span!.n} of ${NODES} nodes`);

    const html = join(dir, 'map.html');
    const map = await runCli([
      'map',
      '--data-dir',
      data,
      '--out',
      html,
      '--source',
      'crawl',
      '--cutoff-hours',
      String(cutoffHours),
    ]);
    assert.equal(map.code, 0, map.stderr);
    assert.match(map.stdout, /map written to/);

    await page.goto(pathToFileURL(html).href);
    const dots = page.locator('#nodes circle');
    assert.equal(await dots.count(), expected);
    assert.equal(await page.getAttribute('#nodes', 'data-count'), String(expected));

    // Back to the start of the crawl, by time: only the first nodes to answer are there.
    const pageData = await readPageData(reader, { source: 'crawl' });
    reader.close();
    const halfLifeMs = MAP_DEFAULTS.halfLifeMinutes * 60_000;
    const atStart = dotsAt(pageData, 0, halfLifeMs, cutoffMs, MAP_DEFAULTS.minOpacity);
    await page.selectOption('#mode', 'time');
    await page.locator('#slider').fill('0');
    assert.equal(await dots.count(), atStart);
    assert.ok(atStart < Number(span!.n), `${atStart} dots at the start of the crawl`);
    const middle = Math.floor(MAP_DEFAULTS.timeSteps / 2);
    await page.locator('#slider').fill(String(middle));
    const t = Math.round((pageData.end * middle) / (MAP_DEFAULTS.timeSteps - 1));
    assert.equal(
      await dots.count(),
      dotsAt(pageData, t, halfLifeMs, cutoffMs, MAP_DEFAULTS.minOpacity),
    );

    // The end again, with a tooltip, for the screenshot.
    await page.locator('#slider').fill(String(MAP_DEFAULTS.timeSteps - 1));
    assert.equal(await dots.count(), expected);
    await dots.last().hover();
    assert.equal(await page.isVisible('#tip'), true);
    assert.match((await page.textContent('#tip')) ?? '', /127\.64\.\d+\.\d+ port \d+AS646\d\d/);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'map.png');
    await page.screenshot({ path: shot });
    assert.ok(statSync(shot).size > 20_000, 'the screenshot has a map in it');

    assert.deepEqual(pageErrors, []);
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file:')),
      [],
      'the page fetches nothing',
    );
  });

  it('a live map redraws from the store when a crawl writes a new snapshot', async () => {
    const data = join(dir, 'data');
    const reader = await StoreReader.open(data);
    const options = { halfLifeMinutes: 15, cutoffHours: 6, live: true, refreshSeconds: 1 };
    const read = () => readPageData(reader, { source: 'crawl', live: true });
    const server = await startMapServer({
      host: '127.0.0.1',
      port: 0,
      data: read,
      page: async () => renderMapPage(await read(), options),
    });
    try {
      await page.goto(server.url);
      const dots = page.locator('#nodes circle');
      const before = await dots.count();
      assert.ok(before >= NODES * 0.99, `${before} dots`);
      // A later snapshot holding 5 more nodes, written as a crawl writes one.
      const now = Date.now();
      const extra = Object.fromEntries(
        [1, 2, 3, 4, 5].map((i) => [
          `198.51.100.${i}:6881`,
          {
            address: `198.51.100.${i}`,
            port: 6881,
            family: 4 as const,
            id: i.toString(16).padStart(40, '0'),
            status: 'done' as const,
            firstSeen: now,
            lastSeen: now,
          },
        ]),
      );
      const placed = createEnricher({
        builtin: false,
        overlay: [
          {
            cidr: '198.51.100.0/24',
            asn: 64_700,
            country: 'NZ',
            latitude: -41.3,
            longitude: 174.8,
          },
        ],
      });
      await new CrawlStore(data).writeSnapshot({ ...emptySnapshot(now), nodes: extra }, placed);
      // The page's own refresh (every second here) must bring the new dots: no reload.
      const deadline = Date.now() + 15_000;
      while ((await dots.count()) !== before + 5 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await dots.count(), before + 5);
      assert.match((await page.textContent('#status')) ?? '', /live · updated/);
      assert.deepEqual(pageErrors, []);
    } finally {
      await server.close();
      reader.close();
    }
  });
});

/**
 * The map's loader and arithmetic over a real store: crawl snapshots written
 * by the crawl's own writer, events by the journal, read back through the
 * store's views; the fade and cutoff math; the page's data, escaping and the
 * live server's two routes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CrawlNode, type CrawlSnapshot, emptySnapshot } from '../../src/active/crawl-model.ts';
import { CrawlStore } from '../../src/active/crawl-store.ts';
import { createEnricher } from '../../src/enrich/index.ts';
import { asnColor, UNKNOWN_ASN_COLOR } from '../../src/report/map/colors.ts';
import {
  loadMapData,
  ORIGIN_CRAWL,
  ORIGIN_OBSERVED,
  observedBucketMs,
} from '../../src/report/map/data.ts';
import { lastSightingAt, MAP_DEFAULTS, opacityAt } from '../../src/report/map/decay.ts';
import { project } from '../../src/report/map/geometry.ts';
import { readPageData, startMapServer } from '../../src/report/map/index.ts';
import { humanDuration, jsonForScript, renderMapPage } from '../../src/report/map/page.ts';
import { dotsAt, encodePageData, SPREAD } from '../../src/report/map/page-data.ts';
import { EVENTS, Journal, openDataDir, StoreReader } from '../../src/store/index.ts';
import type { EventRecord } from '../../src/store/schema.ts';
import { makeEvents } from '../helpers/events.ts';

const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const id = (n: number) => n.toString(16).padStart(40, '0');

/** The crawl's writer places 198.51.100.0/24 (Frankfurt) and 203.0.113.1; 203.0.113.5 it cannot. */
const crawlEnricher = createEnricher({
  builtin: false,
  overlay: [
    {
      cidr: '198.51.100.0/24',
      asn: 64_600,
      org: 'Lab network 1',
      country: 'DE',
      latitude: 50.11,
      longitude: 8.68,
    },
    {
      cidr: '203.0.113.1/32',
      asn: 64_601,
      org: 'Lab network 2',
      country: 'US',
      latitude: 39.04,
      longitude: -77.49,
    },
  ],
});
/** What `map --overlay` adds: a place for the address the crawl could not place, and the observed one. */
const mapEnricher = createEnricher({
  builtin: false,
  overlay: [
    {
      cidr: '203.0.113.5/32',
      asn: 64_602,
      org: 'Lab network 3',
      country: 'JP',
      latitude: 35.68,
      longitude: 139.69,
    },
    {
      cidr: '192.0.2.0/24',
      asn: 64_603,
      org: 'Lab network 4',
      country: 'BR',
      latitude: -23.55,
      longitude: -46.63,
    },
  ],
});

function node(
  address: string,
  port: number,
  n: number,
  firstSeen: number,
  lastSeen: number,
): CrawlNode {
  return { address, port, family: 4, id: id(n), status: 'done', client: 'LB', firstSeen, lastSeen };
}

function snapshot(start: number, nodes: CrawlNode[]): CrawlSnapshot {
  const byEndpoint: Record<string, CrawlNode> = {};
  for (const n of nodes) byEndpoint[`${n.address}:${n.port}`] = n;
  // A silent node is never written: the map must not show it.
  byEndpoint['198.51.100.99:1'] = {
    address: '198.51.100.99',
    port: 1,
    family: 4,
    status: 'failed',
  };
  return { ...emptySnapshot(start), nodes: byEndpoint };
}

describe('map data from the store', () => {
  let dir: string;
  let reader: StoreReader;
  const snapA = T0;
  const snapB = T0 + 2 * HOUR;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-map-'));
    const store = new CrawlStore(dir);
    await store.writeSnapshot(
      snapshot(snapA, [
        node('198.51.100.1', 6881, 1, snapA + 1_000, snapA + 5_000),
        node('198.51.100.2', 6882, 2, snapA + 2_000, snapA + 6_000),
      ]),
      crawlEnricher,
    );
    await store.writeSnapshot(
      snapshot(snapB, [
        node('198.51.100.1', 6881, 1, snapB + 1_000, snapB + 4_000),
        node('203.0.113.1', 7000, 3, snapB + 2_000, snapB + 3_000),
        node('203.0.113.5', 7001, 4, snapB + 2_500, snapB + 7_000),
      ]),
      crawlEnricher,
    );
    const journal = await Journal.open<EventRecord>(openDataDir(dir, { create: true }), EVENTS);
    const events = makeEvents(5, 0, 0);
    const at = [
      T0 + 30 * MIN,
      T0 + 30 * MIN + 10_000,
      T0 + 150 * MIN,
      T0 + 60 * MIN,
      T0 + 61 * MIN,
    ];
    const ips = ['192.0.2.7', '192.0.2.7', '192.0.2.7', '198.51.100.1', '198.51.100.1'];
    events.forEach((e, i) => {
      e.ts = at[i]! * 1000;
      e.remoteIp = ips[i]!;
      e.remotePort = 40_000 + i;
      e.client = i === 2 ? 'UT 3.5' : undefined;
      journal.append(e);
    });
    await journal.close();
    reader = await StoreReader.open(dir);
  });
  after(() => {
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('crawl: one node per address, a sighting per snapshot, coordinates and snapshots', async () => {
    const data = await loadMapData(reader, { source: 'crawl', clock: () => T0 + 10 * HOUR });
    const byIp = new Map(data.nodes.map((n) => [n.ip, n]));
    assert.deepEqual([...byIp.keys()].sort(), [
      '198.51.100.1',
      '198.51.100.2',
      '203.0.113.1',
      '203.0.113.5',
    ]);
    assert.deepEqual(byIp.get('198.51.100.1')!.sightings, [snapA + 5_000, snapB + 4_000]);
    assert.deepEqual(byIp.get('198.51.100.2')!.sightings, [snapA + 6_000]);
    const first = byIp.get('198.51.100.1')!;
    assert.equal(first.asn, 64_600);
    assert.equal(first.country, 'DE');
    assert.equal(first.client, 'LB');
    assert.equal(first.port, 6881);
    assert.equal(first.origin, ORIGIN_CRAWL);
    assert.equal(first.latitude, 50.11);
    // The crawl could not place this one, and no enricher was given to the map.
    assert.equal(byIp.get('203.0.113.5')!.latitude, null);
    assert.deepEqual(data.snapshots, [
      { start: snapA, end: snapA + 6_000, nodes: 2 },
      { start: snapB, end: snapB + 7_000, nodes: 3 },
    ]);
    // A static map ends at the last sighting, not at the clock.
    assert.equal(data.now, snapB + 7_000);
    assert.equal(data.generatedAt, T0 + 10 * HOUR);
    assert.equal(data.dropped, 0);
  });

  it('fills what the store lacks from the enricher', async () => {
    const data = await loadMapData(reader, { source: 'crawl', enricher: mapEnricher });
    const placed = data.nodes.find((n) => n.ip === '203.0.113.5')!;
    assert.equal(placed.latitude, 35.68);
    assert.equal(placed.asn, 64_602);
    assert.equal(placed.country, 'JP');
  });

  it('observed: senders of events, one sighting per bucket, messages counted', async () => {
    const data = await loadMapData(reader, { source: 'observed', enricher: mapEnricher });
    const byIp = new Map(data.nodes.map((n) => [n.ip, n]));
    assert.deepEqual([...byIp.keys()].sort(), ['192.0.2.7', '198.51.100.1']);
    const seen = byIp.get('192.0.2.7')!;
    // 10 s apart share a minute bucket (its later message counts); 2 h later is another.
    assert.deepEqual(seen.sightings, [T0 + 30 * MIN + 10_000, T0 + 150 * MIN]);
    assert.equal(seen.messages, 3);
    assert.equal(seen.port, 40_002);
    assert.equal(seen.client, 'UT 3.5');
    assert.equal(seen.origin, ORIGIN_OBSERVED);
    assert.equal(seen.latitude, -23.55); // events carry no coordinates: the enricher's
    assert.equal(data.snapshots.length, 0);
  });

  it('both: an address crawled and observed is one dot with both sightings, the crawl’s facts', async () => {
    const data = await loadMapData(reader, { source: 'both', enricher: mapEnricher });
    assert.equal(data.nodes.length, 5);
    const both = data.nodes.find((n) => n.ip === '198.51.100.1')!;
    assert.equal(both.origin, ORIGIN_CRAWL | ORIGIN_OBSERVED);
    assert.equal(both.port, 6881);
    assert.equal(both.messages, 2);
    // Its two messages a minute apart fall in two minute buckets.
    assert.deepEqual(both.sightings, [snapA + 5_000, T0 + 60 * MIN, T0 + 61 * MIN, snapB + 4_000]);
  });

  it('keeps the most recently seen addresses past maxNodes and counts the rest', async () => {
    const data = await loadMapData(reader, { source: 'both', maxNodes: 2 });
    assert.deepEqual(
      data.nodes.map((n) => n.ip),
      ['192.0.2.7', '203.0.113.5'],
    );
    assert.equal(data.dropped, 3);
  });

  it('a live map ends at the present', async () => {
    const data = await loadMapData(reader, {
      source: 'crawl',
      live: true,
      clock: () => snapB + HOUR,
    });
    assert.equal(data.now, snapB + HOUR);
  });

  it('page data: projected, offsets from the first sighting, ASNs by count, unplaced counted', async () => {
    const data = await loadMapData(reader, { source: 'crawl' });
    const page = encodePageData(data);
    assert.equal(page.t0, snapA + 5_000);
    assert.equal(page.end, snapB + 7_000 - page.t0);
    assert.equal(page.nodes.length, 3);
    assert.equal(page.unplaced, 1);
    assert.deepEqual(page.asns[0], [64_600, 'Lab network 1', asnColor(64_600), 2]);
    const first = page.nodes.find((n) => n[2] === '198.51.100.1')!;
    // Placed where the projection puts Frankfurt, spread by at most SPREAD so a city is not one dot.
    const [x, y] = project(8.68, 50.11);
    const offset = Math.hypot(first[0] - x, first[1] - y);
    assert.ok(offset <= SPREAD + 0.1, `${offset} from its place`);
    const again = encodePageData(data).nodes.find((n) => n[2] === '198.51.100.1')!;
    assert.deepEqual([again[0], again[1]], [first[0], first[1]]);
    const second = page.nodes.find((n) => n[2] === '198.51.100.2')!;
    assert.notDeepEqual([second[0], second[1]], [first[0], first[1]]);
    assert.deepEqual(first[9], [0, snapB + 4_000 - page.t0]);
    assert.deepEqual(page.snapshots[0], [snapA - page.t0, 1_000, 2]);
    // At the end all three placed nodes are within 6 h; at the first snapshot's end only two had been seen.
    const halfLife = 15 * MIN;
    assert.equal(dotsAt(page, page.end, halfLife, 6 * HOUR, 0.1), 3);
    assert.equal(dotsAt(page, page.snapshots[0]![1], halfLife, 6 * HOUR, 0.1), 2);
    // With a 1 h cutoff, the first snapshot's nodes are gone by the end (only the node seen again stays).
    assert.equal(dotsAt(page, page.end, halfLife, HOUR, 0.1), 2);
  });

  it('live server: the page, and data.json re-read from the store on every request', async () => {
    const server = await startMapServer({
      host: '127.0.0.1',
      port: 0,
      data: () => readPageData(reader, { source: 'crawl', live: true }),
      page: async () =>
        renderMapPage(await readPageData(reader, { source: 'crawl', live: true }), {
          halfLifeMinutes: 15,
          cutoffHours: 6,
          live: true,
          refreshSeconds: 1,
        }),
    });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /"live":true/);
      const before = (await (await fetch(`${server.url}data.json`)).json()) as { nodes: unknown[] };
      assert.equal(before.nodes.length, 3);
      await new CrawlStore(dir).writeSnapshot(
        snapshot(snapB + HOUR, [
          node('203.0.113.1', 7000, 3, snapB, snapB + HOUR + 1_000),
          node('198.51.100.3', 6883, 5, snapB + HOUR, snapB + HOUR + 2_000),
        ]),
        crawlEnricher,
      );
      const afterWrite = (await (await fetch(`${server.url}data.json`)).json()) as {
        nodes: unknown[];
        snapshots: unknown[];
      };
      assert.equal(afterWrite.nodes.length, 4);
      assert.equal(afterWrite.snapshots.length, 3);
      assert.equal((await fetch(`${server.url}elsewhere`)).status, 404);
      assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);
    } finally {
      await server.close();
    }
  });
});

describe('map arithmetic', () => {
  it('opacity halves every half-life, has a floor, and is 0 past the cutoff or before a sighting', () => {
    const half = 15 * MIN;
    const cutoff = 6 * HOUR;
    assert.equal(opacityAt(0, half, cutoff, 0.1), 1);
    assert.equal(opacityAt(half, half, cutoff, 0.1), 0.5);
    assert.equal(opacityAt(2 * half, half, cutoff, 0.1), 0.25);
    assert.equal(opacityAt(5 * HOUR, half, cutoff, 0.1), 0.1);
    assert.equal(opacityAt(cutoff, half, cutoff, 0.1), 0.1);
    assert.equal(opacityAt(cutoff + 1, half, cutoff, 0.1), 0);
    assert.equal(opacityAt(-1, half, cutoff, 0.1), 0);
    assert.equal(opacityAt(Number.POSITIVE_INFINITY, half, cutoff, 0.1), 0);
    assert.equal(opacityAt(Number.NaN, half, cutoff, 0.1), 0);
    assert.equal(opacityAt(HOUR, 0, cutoff, 0.1), 1);
  });

  it('lastSightingAt agrees with a linear scan', () => {
    let state = 7;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state;
    };
    for (let round = 0; round < 200; round++) {
      const sightings = [...new Set(Array.from({ length: next() % 12 }, () => next() % 1000))].sort(
        (a, b) => a - b,
      );
      const t = (next() % 1100) - 50;
      const linear = sightings.filter((s) => s <= t).at(-1) ?? Number.NEGATIVE_INFINITY;
      assert.equal(lastSightingAt(sightings, t), linear, `${sightings} at ${t}`);
    }
  });

  it('colours are stable per ASN, distinct for neighbours, grey for unknown', () => {
    assert.equal(asnColor(64_600), asnColor(64_600));
    assert.notEqual(asnColor(64_600), asnColor(64_601));
    assert.notEqual(asnColor(64_600), asnColor(64_608));
    assert.equal(asnColor(null), UNKNOWN_ASN_COLOR);
  });

  it('names durations as a reader would', () => {
    assert.equal(humanDuration(3_300), '3.3 s');
    assert.equal(humanDuration(15 * MIN), '15 min');
    assert.equal(humanDuration(6 * HOUR), '6 h');
    assert.equal(humanDuration(1.25 * HOUR), '1.3 h');
  });

  it('observed sightings are a minute apart, coarser for long records', () => {
    assert.equal(observedBucketMs(HOUR), MIN);
    assert.equal(observedBucketMs(30 * 24 * HOUR), Math.ceil((30 * 24 * HOUR) / 500 / MIN) * MIN);
  });

  it('the page is self-contained and store strings cannot break out of it', () => {
    const hostile = '</script><img src=x onerror=alert(1)>';
    assert.equal(jsonForScript({ org: hostile }).includes('</script>'), false);
    const html = renderMapPage(
      {
        source: 'crawl',
        generatedAt: T0,
        t0: T0,
        end: 0,
        snapshots: [[0, 0, 1]],
        asns: [[64_600, hostile, asnColor(64_600), 1]],
        nodes: [[1, 2, '198.51.100.1', 6881, 0, 'DE', hostile, ORIGIN_CRAWL, 0, [0]]],
        unplaced: 0,
        dropped: 0,
      },
      {
        halfLifeMinutes: 15,
        cutoffHours: 6,
        live: false,
        refreshSeconds: MAP_DEFAULTS.refreshSeconds,
      },
    );
    assert.equal(html.split('</script>').length - 1, 3); // the three script elements' own ends
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//);
    assert.match(html, /<path class="land" d="M/);
  });
});

/**
 * What the map shows, read from the store: one dot per address, placed by
 * its coordinates and coloured by its ASN, with the instants it was seen.
 * Crawled addresses come from `crawl_nodes` (each snapshot's last_seen is a
 * sighting); observed ones from the antenna's `events` (one sighting per
 * address per time bucket, its latest message in the bucket). Coordinates
 * come with crawl rows; events have none, and neither do crawl rows the
 * crawl could not place, so those are asked of the enricher.
 *
 * Times are ms since the epoch here; the page gets them as offsets from `t0`.
 */
import type { Enricher } from '../../enrich/index.ts';
import type { Duck } from '../../store/duck.ts';
import type { StoreReader } from '../../store/reader.ts';
import { MAP_DEFAULTS } from './decay.ts';
import { project } from './geometry.ts';

export type MapSource = 'crawl' | 'observed' | 'both';
export const MAP_SOURCES: readonly MapSource[] = ['crawl', 'observed', 'both'];

/** How the node was found: bit 1 by a crawl, bit 2 by the antenna. */
export const ORIGIN_CRAWL = 1;
export const ORIGIN_OBSERVED = 2;

export interface MapNode {
  ip: string;
  /** The port it was last seen on. */
  port: number;
  asn: number | null;
  org: string | null;
  country: string | null;
  client: string | null;
  latitude: number | null;
  longitude: number | null;
  origin: number;
  /** Messages the antenna received from it (0 for crawl only). */
  messages: number;
  /** When it was seen, ms since the epoch, ascending, distinct. */
  sightings: number[];
}

export interface MapSnapshot {
  /** Start of the crawl snapshot. */
  start: number;
  /** Its last answer: where the slider stands for this snapshot. */
  end: number;
  nodes: number;
}

export interface MapData {
  source: MapSource;
  /** When the data was read. */
  generatedAt: number;
  /** The end of playback: the last sighting, or the present in a live map if later. */
  now: number;
  nodes: MapNode[];
  snapshots: MapSnapshot[];
  /** Addresses dropped past `maxNodes` (the least recently seen). */
  dropped: number;
}

export interface MapLoadOptions {
  source: MapSource;
  /** Fills coordinates, ASN, organisation and country the store lacks; optional. */
  enricher?: Enricher;
  maxNodes?: number;
  /** The clock for `generatedAt` (and `now` when `live`). */
  clock?: () => number;
  /** A live map's playback ends at the present, so what stopped answering fades. */
  live?: boolean;
}

/** Reads the nodes of the chosen source(s) from the store's views, as they are now. */
export async function loadMapData(reader: StoreReader, options: MapLoadOptions): Promise<MapData> {
  const clock = options.clock ?? Date.now;
  const maxNodes = options.maxNodes ?? MAP_DEFAULTS.maxNodes;
  const generatedAt = clock();
  const byIp = new Map<string, MapNode>();
  let snapshots: MapSnapshot[] = [];
  let total = 0;
  await reader.withFreshViews(async (duck) => {
    byIp.clear();
    if (options.source !== 'observed') {
      snapshots = await crawlSnapshots(duck);
      await loadCrawl(duck, byIp, maxNodes);
    }
    if (options.source !== 'crawl') await loadObserved(duck, byIp, maxNodes);
    total = await countAddresses(duck, options.source);
  });
  let nodes = [...byIp.values()];
  for (const node of nodes) {
    node.sightings = [...new Set(node.sightings)].sort((a, b) => a - b);
    if (options.enricher !== undefined) fillFromEnricher(node, options.enricher);
  }
  // Both sources were each capped; the union is capped again, most recent first.
  nodes.sort((a, b) => last(b) - last(a) || (a.ip < b.ip ? -1 : 1));
  nodes = nodes.slice(0, maxNodes);
  const dropped = Math.max(0, total - nodes.length);
  const latest = nodes.reduce((max, n) => Math.max(max, last(n)), Number.NEGATIVE_INFINITY);
  const now = options.live
    ? Math.max(generatedAt, latest)
    : Number.isFinite(latest)
      ? latest
      : generatedAt;
  return { source: options.source, generatedAt, now, nodes, snapshots, dropped };
}

const last = (node: MapNode): number => node.sightings.at(-1) ?? Number.NEGATIVE_INFINITY;

/** Where a node goes on the canvas, or undefined when nothing places it. */
export function nodePosition(node: MapNode): [number, number] | undefined {
  if (node.latitude === null || node.longitude === null) return undefined;
  if (!Number.isFinite(node.latitude) || !Number.isFinite(node.longitude)) return undefined;
  return project(node.longitude, node.latitude);
}

async function countAddresses(duck: Duck, source: MapSource): Promise<number> {
  const selects = [];
  if (source !== 'observed') selects.push('SELECT ip FROM crawl_nodes');
  if (source !== 'crawl') selects.push('SELECT remote_ip AS ip FROM events');
  const [row] = await duck.rows(
    `SELECT count(DISTINCT ip)::DOUBLE AS n FROM (${selects.join(' UNION ALL ')})`,
  );
  return (row?.n as number | undefined) ?? 0;
}

async function crawlSnapshots(duck: Duck): Promise<MapSnapshot[]> {
  const rows = await duck.rows(
    `SELECT epoch_ms(snapshot)::DOUBLE AS start, epoch_ms(max(last_seen))::DOUBLE AS "end",
            count(DISTINCT ip)::DOUBLE AS nodes
     FROM crawl_nodes GROUP BY snapshot ORDER BY snapshot`,
  );
  return rows.map((r) => ({
    start: r.start as number,
    end: r.end as number,
    nodes: r.nodes as number,
  }));
}

/** Adds the `maxNodes` addresses of crawl_nodes seen last to `byIp`. */
async function loadCrawl(duck: Duck, byIp: Map<string, MapNode>, maxNodes: number): Promise<void> {
  const rows = await duck.rows(
    `WITH keep AS (SELECT ip FROM crawl_nodes GROUP BY ip ORDER BY max(last_seen) DESC, ip LIMIT ${maxNodes})
     SELECT ip, port, client, asn, org, country, latitude, longitude,
            epoch_ms(last_seen)::DOUBLE AS seen
     FROM crawl_nodes SEMI JOIN keep USING (ip)
     ORDER BY last_seen, snapshot`,
  );
  for (const row of rows) {
    const ip = row.ip as string;
    const node = nodeFor(byIp, ip);
    // Rows come oldest first: each later one overwrites what it knows.
    node.port = Number(row.port);
    node.origin |= ORIGIN_CRAWL;
    node.sightings.push(row.seen as number);
    overwrite(node, row);
  }
}

/** Adds the `maxNodes` senders of events heard last to `byIp`. */
async function loadObserved(
  duck: Duck,
  byIp: Map<string, MapNode>,
  maxNodes: number,
): Promise<void> {
  const [span] = await duck.rows(
    `SELECT epoch_ms(min(ts))::DOUBLE AS first, epoch_ms(max(ts))::DOUBLE AS last FROM events`,
  );
  if (span === undefined || span.first === null) return;
  const bucket = observedBucketMs((span.last as number) - (span.first as number));
  const rows = await duck.rows(
    `WITH keep AS (SELECT remote_ip FROM events GROUP BY remote_ip ORDER BY max(ts) DESC, remote_ip LIMIT ${maxNodes})
     SELECT remote_ip AS ip, epoch_ms(max(ts))::DOUBLE AS seen, count(*)::DOUBLE AS messages,
            arg_max(remote_port, ts) AS port, arg_max(client, ts) AS client, arg_max(asn, ts) AS asn,
            arg_max(org, ts) AS org, arg_max(country, ts) AS country
     FROM events SEMI JOIN keep USING (remote_ip)
     GROUP BY remote_ip, floor(epoch_ms(ts) / ${bucket})
     ORDER BY seen`,
  );
  for (const row of rows) {
    const node = nodeFor(byIp, row.ip as string);
    const crawled = (node.origin & ORIGIN_CRAWL) !== 0;
    node.origin |= ORIGIN_OBSERVED;
    node.messages += row.messages as number;
    node.sightings.push(row.seen as number);
    // A crawl's answer says more about a node than a query it sent: keep the crawl's facts.
    if (!crawled) {
      node.port = Number(row.port);
      overwrite(node, row);
    }
  }
}

/**
 * Sighting resolution of observed addresses: a minute, or coarser for long
 * records, so an address busy for a month adds at most ~500 sightings.
 */
export function observedBucketMs(spanMs: number): number {
  const minute = 60_000;
  return Math.max(minute, Math.ceil(spanMs / 500 / minute) * minute);
}

function nodeFor(byIp: Map<string, MapNode>, ip: string): MapNode {
  let node = byIp.get(ip);
  if (node === undefined) {
    node = {
      ip,
      port: 0,
      asn: null,
      org: null,
      country: null,
      client: null,
      latitude: null,
      longitude: null,
      origin: 0,
      messages: 0,
      sightings: [],
    };
    byIp.set(ip, node);
  }
  return node;
}

function overwrite(node: MapNode, row: Record<string, unknown>): void {
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const num = (v: unknown): number | null =>
    v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v);
  node.client = text(row.client) ?? node.client;
  node.asn = num(row.asn) ?? node.asn;
  node.org = text(row.org) ?? node.org;
  node.country = text(row.country) ?? node.country;
  const lat = num(row.latitude);
  const lon = num(row.longitude);
  if (lat !== null && lon !== null) {
    node.latitude = lat;
    node.longitude = lon;
  }
}

function fillFromEnricher(node: MapNode, enricher: Enricher): void {
  if (node.latitude !== null && node.asn !== null && node.country !== null) return;
  const found = enricher.lookup(node.ip);
  if (node.latitude === null && found.latitude !== undefined && found.longitude !== undefined) {
    node.latitude = found.latitude;
    node.longitude = found.longitude;
  }
  if (node.asn === null && found.asn !== undefined) {
    node.asn = found.asn;
    node.org = node.org ?? found.org ?? null;
  }
  node.country = node.country ?? found.country ?? null;
}

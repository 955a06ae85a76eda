/**
 * The map's data as the page carries it: compact arrays rather than objects
 * (a crawl of the real DHT is tens of thousands of dots), positions already
 * projected, times as ms offsets from the first sighting, and each ASN with
 * its colour once. Only placed nodes (with coordinates) are included; the
 * others are counted.
 */
import { asnColor } from './colors.ts';
import type { MapData, MapSource } from './data.ts';
import { nodePosition } from './data.ts';
import { lastSightingAt, opacityAt } from './decay.ts';

/** [x, y, ip, port, asn index, country, client, origin bits, messages, sightings (ms from t0)] */
export type PageNode = [
  number,
  number,
  string,
  number,
  number,
  string | null,
  string | null,
  number,
  number,
  number[],
];

/** [asn or null, org or null, colour, addresses] */
export type PageAsn = [number | null, string | null, string, number];

export interface PageData {
  source: MapSource;
  generatedAt: number;
  /** Epoch ms of offset 0: the first sighting. */
  t0: number;
  /** Offset of the end of playback. */
  end: number;
  /** [start offset, end offset, addresses] per crawl snapshot. */
  snapshots: [number, number, number][];
  /** Most addresses first. */
  asns: PageAsn[];
  nodes: PageNode[];
  /** Nodes without coordinates, not drawn. */
  unplaced: number;
  /** Addresses left out past the node limit. */
  dropped: number;
}

/**
 * City databases put every address of a city on one point, so a thousand
 * nodes would look like one dot: each is moved up to this many canvas units
 * (about 1° of longitude), in a direction and by a distance fixed by its address.
 */
export const SPREAD = 3;

export function encodePageData(data: MapData): PageData {
  const placed = data.nodes.flatMap((node) => {
    const at = nodePosition(node);
    return at === undefined || node.sightings.length === 0
      ? []
      : [{ node, at: spread(at, node.ip) }];
  });
  const t0 = placed.reduce((min, p) => Math.min(min, p.node.sightings[0]!), data.now);
  const asnCounts = new Map<number | null, { org: string | null; count: number }>();
  for (const { node } of placed) {
    const entry = asnCounts.get(node.asn) ?? { org: node.org, count: 0 };
    entry.count++;
    entry.org = entry.org ?? node.org;
    asnCounts.set(node.asn, entry);
  }
  const asns: PageAsn[] = [...asnCounts.entries()]
    .map(([asn, e]): PageAsn => [asn, e.org, asnColor(asn), e.count])
    .sort((a, b) => b[3] - a[3] || (a[0] ?? Infinity) - (b[0] ?? Infinity));
  const asnIndex = new Map(asns.map((a, i) => [a[0], i]));
  return {
    source: data.source,
    generatedAt: data.generatedAt,
    t0,
    end: data.now - t0,
    snapshots: data.snapshots.map((s) => [s.start - t0, s.end - t0, s.nodes]),
    asns,
    nodes: placed.map(({ node, at }) => [
      at[0],
      at[1],
      node.ip,
      node.port,
      asnIndex.get(node.asn)!,
      node.country,
      node.client,
      node.origin,
      node.messages,
      node.sightings.map((s) => s - t0),
    ]),
    unplaced: data.nodes.length - placed.length,
    dropped: data.dropped,
  };
}

function spread([x, y]: [number, number], ip: string): [number, number] {
  // FNV-1a of the address, mixed: the same address lands on the same spot in every map.
  let hash = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) hash = Math.imul(hash ^ ip.charCodeAt(i), 0x01000193);
  // MurmurHash3's finalizer: neighbouring addresses (…1, …2) differ in few bits of FNV alone.
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  hash = (hash ^ (hash >>> 16)) >>> 0;
  const angle = ((hash & 0xffff) / 0x10000) * 2 * Math.PI;
  // The square root spreads the dots evenly over the disc rather than bunched at its centre.
  const distance = SPREAD * Math.sqrt((hash >>> 16) / 0x10000);
  const round1 = (v: number): number => Math.round(v * 10) / 10;
  return [round1(x + distance * Math.cos(angle)), round1(y + distance * Math.sin(angle))];
}

/** How many dots the page draws at offset `t` (what the page computes, computed here). */
export function dotsAt(
  page: PageData,
  t: number,
  halfLifeMs: number,
  cutoffMs: number,
  minOpacity: number,
): number {
  let count = 0;
  for (const node of page.nodes) {
    const seen = lastSightingAt(node[9], t);
    if (opacityAt(t - seen, halfLifeMs, cutoffMs, minOpacity) > 0) count++;
  }
  return count;
}

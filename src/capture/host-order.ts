/**
 * The order of the per-host summary: most distinct failed hosts first, then
 * most failed attempts, then by address text. Most hosts tie on both counts,
 * so the text decides nearly every comparison; comparing strings tens of
 * thousands of times cost more than the rest of the summary. Hosts without
 * failed attempts, when all are dotted quads, sort as one number each with no
 * comparator at all. Otherwise each text is read once into two numbers that
 * order as its first 14 characters do, and only texts that agree on those are
 * compared as strings.
 */
import { ipv4Number } from '../protocol/net/ip.ts';

interface Sortable {
  readonly host: string;
  readonly distinctFailedHosts: number;
  readonly failed: number;
}

/** Characters per number: 129^7 < 2^53, so a number holds 7 exactly. */
const CHARS = 7;
/** Codes above 127 all become 128, and end the prefix (see `prefixKey`). */
const BASE = 129;

/** Sorts `hosts` in place, in the order of the summary. */
export function sortHosts<T extends Sortable>(hosts: T[]): void {
  // Hosts without failed attempts — most of them — go last, ordered by text alone.
  const failing: T[] = [];
  const quiet: T[] = [];
  for (const h of hosts) {
    if (h.distinctFailedHosts === 0 && h.failed === 0) quiet.push(h);
    else failing.push(h);
  }
  sortByCounts(failing);
  if (!sortDottedQuads(quiet)) sortByCounts(quiet);
  for (let i = 0; i < failing.length; i++) hosts[i] = failing[i]!;
  for (let i = 0; i < quiet.length; i++) hosts[failing.length + i] = quiet[i]!;
}

function sortByCounts<T extends Sortable>(hosts: T[]): void {
  const n = hosts.length;
  const failedHosts = new Float64Array(n);
  const failed = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const h = hosts[i]!;
    failedHosts[i] = h.distinctFailedHosts;
    failed[i] = h.failed;
    const first = prefixKey(h.host, 0);
    // A prefix cut short leaves the rest of the text to the string comparison.
    high[i] = Math.abs(first);
    low[i] = first < 0 || h.host.length <= CHARS ? 0 : Math.abs(prefixKey(h.host, CHARS));
    order[i] = i;
  }
  order.sort(
    (i, j) =>
      failedHosts[j]! - failedHosts[i]! ||
      failed[j]! - failed[i]! ||
      high[i]! - high[j]! ||
      low[i]! - low[j]! ||
      compareText(hosts[i]!.host, hosts[j]!.host),
  );
  const sorted = order.map((i) => hosts[i]!);
  for (let i = 0; i < n; i++) hosts[i] = sorted[i]!;
}

/** Bits an index takes beside a 32-bit text key in one exact double. */
const INDEX_BITS = 21;

/**
 * Sorts hosts by text when every text is a dotted quad: each becomes one
 * number that orders as the text does, and the numbers sort natively, with
 * no comparator called from the sort. False (nothing moved) when a text is
 * not a canonical dotted quad or there are too many hosts for the key.
 */
function sortDottedQuads<T extends Sortable>(hosts: T[]): boolean {
  const n = hosts.length;
  if (n >= 1 << INDEX_BITS) return false;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const key = dottedQuadTextKey(hosts[i]!.host);
    if (key < 0) return false;
    keys[i] = key * (1 << INDEX_BITS) + i;
  }
  keys.sort();
  const sorted = new Array<T>(n);
  for (let k = 0; k < n; k++) sorted[k] = hosts[keys[k]! % (1 << INDEX_BITS)]!;
  for (let k = 0; k < n; k++) hosts[k] = sorted[k]!;
  return true;
}

/**
 * Each octet's rank among the texts "0" … "255" in string order ("1" < "10" <
 * "100" < "101" < … < "2"). Dotted quads compare as strings exactly as their
 * octets' ranks compare, first octet first: where two octet texts differ,
 * either a digit decides, or one is a prefix of the other and the shorter
 * sorts first in both (the dot or the end is below every digit).
 */
const OCTET_TEXT_RANK: Uint8Array = (() => {
  const texts = Array.from({ length: 256 }, (_, i) => String(i)).sort();
  const rank = new Uint8Array(256);
  texts.forEach((text, r) => {
    rank[Number(text)] = r;
  });
  return rank;
})();

/** The four octet ranks of a canonical dotted quad as one unsigned 32-bit number, or -1. */
export function dottedQuadTextKey(text: string): number {
  const address = ipv4Number(text);
  if (address < 0) return -1;
  const rank = OCTET_TEXT_RANK;
  return (
    ((rank[address >>> 24]! * 256 + rank[(address >>> 16) & 255]!) * 256 +
      rank[(address >>> 8) & 255]!) *
      256 +
    rank[address & 255]!
  );
}

/**
 * Characters `from` to `from + 7` of `text` as one number that orders as
 * they do (missing characters count as 0, below every character, as a
 * shorter string sorts first). A code above 127 counts as 128, above every
 * other, and cuts the prefix there (what follows counts as 0): two texts
 * equal up to such a cut tie, and their strings decide. A cut prefix is
 * returned negated.
 */
function prefixKey(text: string, from: number): number {
  let key = 0;
  let cut = false;
  for (let k = from; k < from + CHARS; k++) {
    let c = cut || k >= text.length ? 0 : text.charCodeAt(k);
    if (c > 127) {
      c = 128;
      cut = true;
    }
    key = key * BASE + c;
  }
  return cut ? -key : key;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

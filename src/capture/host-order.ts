/**
 * The order of the per-host summary: most distinct failed hosts first, then
 * most failed attempts, then by address text. Most hosts tie on both counts,
 * so the text decides nearly every comparison; comparing strings tens of
 * thousands of times cost more than the rest of the summary. Each text is
 * read once into two numbers that order as its first 14 characters do, and
 * only texts that agree on those are compared as strings.
 */

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

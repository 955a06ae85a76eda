/**
 * Prefix families: clusters of related hash prefixes.
 *
 * Definition. An address *digs* a 12-bit prefix when it looks up at least
 * `minTargets` distinct targets inside it within one time bucket (ks_buckets:
 * an hour by default). A *family* is a stretch of adjacent 12-bit prefixes
 * that were dug one after another: a run of at least `minPrefixes` prefixes
 * dug by the same address in the same bucket, with at most `maxGap` undug
 * prefixes between two dug ones; runs of any addresses and times that
 * overlap or nearly touch (again `maxGap`) are one family, so the members of
 * a fleet working one region, or one walker coming back to it, make one
 * family with several addresses or a long life.
 *
 * Why so. What relates hash prefixes is being worked on together, and that
 * shows as several targets in each of a string of neighbouring prefixes in a
 * short time (a prefix walker: 96a, 96b, 96c …, a few targets each). Random
 * lookups, however many, rarely put three targets in one 12-bit prefix
 * within an hour, and almost never in several neighbouring ones; a
 * sequential crawler spreads its targets thinly (one per prefix or fewer)
 * and is a scanner, not a family; a monitor asks the same few hashes (one
 * target per prefix) and is concentrated, not a family.
 */
import type { AddressInfo } from '../operator-stream.ts';
import { type Bucket, hexOf, num } from './base.ts';

export const PREFIX_FAMILY_DEFAULTS = {
  /** Distinct targets inside one 12-bit prefix, from one address within one bucket, to dig it. */
  minTargets: 3,
  /** Dug prefixes in a run for it to make (or join) a family. */
  minPrefixes: 4,
  /** Undug prefixes tolerated between two dug ones (a prefix the sensor did not hear). */
  maxGap: 2,
  /** Addresses named in `top_addresses`. */
  topAddresses: 5,
};

export type PrefixFamilyConfig = typeof PREFIX_FAMILY_DEFAULTS;

/** The smallest bucket (in distinct targets) that can hold a family's run. */
function minBucketTargets(c: PrefixFamilyConfig): number {
  return num(c.minTargets) * num(c.minPrefixes);
}

/** A row of the prefix_families table (props of PREFIX_FAMILY_COLUMNS). */
export interface PrefixFamilyRow {
  familyId: string;
  prefixFrom: string;
  prefixTo: string;
  prefixes: number;
  span: number;
  hashes: number;
  addresses: number;
  topAddresses: string;
  events: number;
  firstSeen: number;
  lastSeen: number;
  why: string;
}

/** The lookups of one dug 12-bit prefix. */
interface DugCell {
  p12: number;
  targets: number[];
  n: number[];
  t0: number[];
  t1: number[];
}

/** A run of dug prefixes long enough to make or join a family: one address, one bucket. */
export interface Span {
  ipNo: number;
  b: number;
  lo: number;
  hi: number;
  cells: DugCell[];
}

/** A run of dug prefixes `run` (ascending) in bucket `b`, with its lookups. */
function spanOf(b: Bucket, run: readonly number[]): Span {
  const cells = new Map<number, DugCell>(
    run.map((p12) => [p12, { p12, targets: [], n: [], t0: [], t1: [] }]),
  );
  for (let i = 0; i < b.size; i++) {
    const cell = cells.get(b.head[i]! >>> 20);
    if (cell === undefined) continue;
    cell.targets.push(b.target[i]!);
    cell.n.push(b.n[i]!);
    cell.t0.push(b.t0[i]!);
    cell.t1.push(b.t1[i]!);
  }
  return { ipNo: b.ipNo, b: b.b, lo: run[0]!, hi: run.at(-1)!, cells: [...cells.values()] };
}

/** Finds each bucket's runs of dug prefixes (base.ts), then merges them into families. */
export class FamilyTally {
  private readonly spans: Span[] = [];
  private readonly c: PrefixFamilyConfig;
  /** Lookups per 12-bit prefix in the bucket at hand (zero between buckets). */
  private readonly perPrefix = new Int32Array(4096);

  constructor(c: PrefixFamilyConfig) {
    this.c = c;
  }

  bucket(b: Bucket): void {
    const c = this.c;
    if (b.size < minBucketTargets(c)) return;
    // Lookups in a bucket are distinct targets: a prefix is dug when it holds minTargets of them.
    const { perPrefix } = this;
    const occupied: number[] = [];
    for (let i = 0; i < b.size; i++) {
      const p12 = b.head[i]! >>> 20;
      if (perPrefix[p12]!++ === 0) occupied.push(p12);
    }
    const dug = occupied.filter((p) => perPrefix[p]! >= num(c.minTargets)).sort((x, y) => x - y);
    for (const p of occupied) perPrefix[p] = 0;
    const step = Math.max(0, Math.round(c.maxGap)) + 1;
    for (let from = 0; from < dug.length; ) {
      let to = from + 1;
      while (to < dug.length && dug[to]! - dug[to - 1]! <= step) to++;
      if (to - from >= num(c.minPrefixes)) this.spans.push(spanOf(b, dug.slice(from, to)));
      from = to;
    }
  }

  /** What a worker's tally hands back (range-pool.ts). */
  part(): Span[] {
    return this.spans;
  }

  absorb(spans: readonly Span[]): void {
    for (const span of spans) this.spans.push(span);
  }

  /**
   * Spans that overlap or nearly touch (within maxGap) the furthest reach of
   * the spans before them, in keyspace order, are one family.
   */
  rows(addresses: readonly AddressInfo[], bucketMinutes: number): PrefixFamilyRow[] {
    const step = Math.max(0, Math.round(this.c.maxGap)) + 1;
    const spans = [...this.spans].sort(
      (x, y) => x.lo - y.lo || x.hi - y.hi || x.ipNo - y.ipNo || x.b - y.b,
    );
    const families: Span[][] = [];
    let reach = Number.NEGATIVE_INFINITY;
    for (const span of spans) {
      if (families.length === 0 || span.lo > reach + step) families.push([]);
      families.at(-1)!.push(span);
      reach = Math.max(reach, span.hi);
    }
    return families.map((family) => this.row(family, addresses, bucketMinutes));
  }

  private row(
    family: readonly Span[],
    addresses: readonly AddressInfo[],
    bucketMinutes: number,
  ): PrefixFamilyRow {
    const prefixes = new Set<number>();
    const hashes = new Set<number>();
    const byAddress = new Map<number, number>();
    let events = 0;
    let firstSeen = Number.POSITIVE_INFINITY;
    let lastSeen = Number.NEGATIVE_INFINITY;
    for (const span of family)
      for (const cell of span.cells) {
        prefixes.add(cell.p12);
        cell.targets.forEach((target, i) => {
          hashes.add(target);
          events += cell.n[i]!;
          byAddress.set(span.ipNo, (byAddress.get(span.ipNo) ?? 0) + cell.n[i]!);
          firstSeen = Math.min(firstSeen, cell.t0[i]!);
          lastSeen = Math.max(lastSeen, cell.t1[i]!);
        });
      }
    const lo = Math.min(...prefixes);
    const hi = Math.max(...prefixes);
    const ipOf = (ipNo: number) => addresses[ipNo - 1]!.remoteIp;
    // Address numbers follow address order, so ties in lookups go to the lower address.
    const top = [...byAddress]
      .sort(([a, x], [b, y]) => y - x || a - b)
      .slice(0, Math.max(0, Math.round(this.c.topAddresses)))
      .map(([ipNo, n]) => `${ipOf(ipNo)} (${n})`);
    const [from, to] = [hexOf(lo, 3), hexOf(hi, 3)];
    const span = hi - lo + 1;
    return {
      familyId: `pf-${from}-${to}`,
      prefixFrom: from,
      prefixTo: to,
      prefixes: prefixes.size,
      span,
      hashes: hashes.size,
      addresses: byAddress.size,
      topAddresses: top.join(', '),
      events,
      firstSeen,
      lastSeen,
      why:
        `${prefixes.size} of the ${span} 12-bit prefixes ${from}–${to} dug (≥ ${Math.round(this.c.minTargets)} ` +
        `distinct targets each within ${Math.max(1, Math.round(bucketMinutes))} min) by ` +
        `${byAddress.size} address(es): ${events} queries for ${hashes.size} targets`,
    };
  }
}

/**
 * Systematic scanners: addresses whose targets march through the keyspace in
 * order, touching many 16-bit prefixes on the way (sequential crawlers,
 * prefix walkers, the members of a distributed campaign).
 *
 * Order is judged inside short stretches of an address's traffic (the time
 * buckets of ks_buckets), not over its whole history: a crawler seen through
 * a sensor's partial view is heard in bursts — while its targets pass near
 * the sensor's identities — with long silences between, and a walker starts
 * each walk at a fresh prefix, so its whole history is a saw-tooth whose
 * overall correlation says little. Within a bucket a sweep's targets rise (or
 * fall) with time almost linearly. A bucket is judged when it holds at least
 * `minBucketTargets` distinct targets (distinct, because one lookup reaching
 * several identities is several events with one target, and two clusters of
 * points correlate perfectly), and counts as ordered when the correlation of
 * time and target is at least `minCorrelation` in size. An address is a
 * scanner when most of its judged targets are in ordered buckets and those
 * cover at least `minPrefixes` distinct 16-bit prefixes.
 */
import type { AddressInfo } from '../operator-stream.ts';
import { type Bucket, CELLS, fixed, hexOf, num, roundTo } from './base.ts';

export const SCANNER_DEFAULTS = {
  /** A bucket is judged only with at least this many distinct targets in it. */
  minBucketTargets: 8,
  /** |correlation of time and target| for a bucket to count as ordered (random targets: ~0). */
  minCorrelation: 0.9,
  /** Share of the address's judged targets that fall in ordered buckets. */
  minOrderedShare: 0.6,
  /** Distinct 16-bit prefixes its ordered buckets touched. */
  minPrefixes: 64,
  /** Share of the ordered targets going one way for a direction; otherwise `both`. */
  minDirectionShare: 0.8,
};

export type ScannerConfig = typeof SCANNER_DEFAULTS;

/** A row of the keyspace_scanners table (props of KEYSPACE_SCANNER_COLUMNS). */
export interface ScannerRow {
  remoteIp: string;
  asn: number | null;
  queries: number;
  prefixesCovered: number;
  coverageShare: number;
  spanFrom: string;
  spanTo: string;
  spanShare: number;
  orderedShare: number;
  direction: 'ascending' | 'descending' | 'both';
  firstSeen: number;
  lastSeen: number;
  why: string;
}

/**
 * Pearson's correlation between when each lookup of a bucket was first asked
 * (seconds) and its target's first 32 bits, by Welford's updates (as DuckDB's
 * corr): NaN when either side does not vary.
 */
export function timeTargetCorrelation(b: Bucket): number {
  let n = 0;
  let mx = 0;
  let my = 0;
  let cxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < b.size; i++) {
    const x = b.t0[i]! / 1e6;
    const y = b.head[i]!;
    n++;
    const dx = x - mx;
    mx += dx / n;
    const dy = y - my;
    my += dy / n;
    cxy += dx * (y - my);
    sxx += dx * (x - mx);
    syy += dy * (y - my);
  }
  const spread = Math.sqrt(sxx / n) * Math.sqrt(syy / n);
  return spread === 0 ? Number.NaN : cxy / n / spread;
}

/** Follows one address at a time through its buckets (base.ts) and judges it at its end. */
export class ScannerTally {
  readonly rows: ScannerRow[] = [];
  private judged = 0;
  private judgedBuckets = 0;
  private up = 0;
  private down = 0;
  private orderedBuckets = 0;
  private queries = 0;
  private firstSeen = Number.POSITIVE_INFINITY;
  private lastSeen = Number.NEGATIVE_INFINITY;
  /** Cells covered by the address's ordered buckets: the address number that last covered each. */
  private readonly coveredBy = new Int32Array(CELLS);
  private prefixes = 0;
  private lo = CELLS;
  private hi = -1;

  private readonly c: ScannerConfig;
  private readonly addresses: readonly AddressInfo[];

  constructor(c: ScannerConfig, addresses: readonly AddressInfo[]) {
    this.c = c;
    this.addresses = addresses;
  }

  bucket(b: Bucket): void {
    for (let i = 0; i < b.size; i++) {
      this.queries += b.n[i]!;
      if (b.t0[i]! < this.firstSeen) this.firstSeen = b.t0[i]!;
      if (b.t1[i]! > this.lastSeen) this.lastSeen = b.t1[i]!;
    }
    if (b.size < num(this.c.minBucketTargets)) return;
    this.judged += b.size;
    this.judgedBuckets++;
    const r = timeTargetCorrelation(b);
    if (!(Math.abs(r) >= num(this.c.minCorrelation))) return;
    this.orderedBuckets++;
    if (r > 0) this.up += b.size;
    else this.down += b.size;
    for (let i = 0; i < b.size; i++) {
      const cell = b.head[i]! >>> 16;
      if (this.coveredBy[cell] === b.ipNo) continue;
      this.coveredBy[cell] = b.ipNo;
      this.prefixes++;
      if (cell < this.lo) this.lo = cell;
      if (cell > this.hi) this.hi = cell;
    }
  }

  endAddress(ipNo: number): void {
    const ordered = this.up + this.down;
    const c = this.c;
    if (
      this.judgedBuckets > 0 &&
      this.orderedBuckets > 0 &&
      ordered >= num(c.minPrefixes) &&
      ordered >= num(c.minOrderedShare) * this.judged &&
      this.prefixes >= num(c.minPrefixes)
    )
      this.rows.push(this.row(this.addresses[ipNo - 1]!));
    this.judged = this.judgedBuckets = this.up = this.down = this.orderedBuckets = 0;
    this.queries = this.prefixes = 0;
    this.firstSeen = Number.POSITIVE_INFINITY;
    this.lastSeen = Number.NEGATIVE_INFINITY;
    this.lo = CELLS;
    this.hi = -1;
  }

  private row(address: AddressInfo): ScannerRow {
    const { up, down, lo, hi, prefixes, c } = this;
    const ordered = up + down;
    const from = hexOf(lo, 4);
    const to = hexOf(hi, 4);
    return {
      remoteIp: address.remoteIp,
      asn: address.asn,
      queries: this.queries,
      prefixesCovered: prefixes,
      coverageShare: roundTo(prefixes / CELLS, 5),
      spanFrom: from,
      spanTo: to,
      spanShare: roundTo((hi - lo + 1) / CELLS, 5),
      orderedShare: roundTo(ordered / this.judged, 3),
      direction:
        up >= c.minDirectionShare * ordered
          ? 'ascending'
          : down >= c.minDirectionShare * ordered
            ? 'descending'
            : 'both',
      firstSeen: this.firstSeen,
      lastSeen: this.lastSeen,
      why:
        `${ordered} targets in ${this.orderedBuckets} time buckets of ordered targets ` +
        `(|r| ≥ ${fixed(c.minCorrelation, 2)}: ${up} rising, ${down} falling; ` +
        `${Math.round((100 * ordered) / this.judged)} % of its judged targets) over ${prefixes} ` +
        `16-bit prefixes (${fixed((100 * prefixes) / CELLS, 2)} % of the keyspace) from ${from} to ${to}`,
    };
  }
}

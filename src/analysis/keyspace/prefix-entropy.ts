/**
 * Prefix entropy: how evenly an address spreads its targets over the
 * keyspace, as the Shannon entropy of their first 8 and 12 bits. The
 * sources' reading: low entropy = organised scanning (or watching) of a
 * region, high = normal random lookups.
 *
 * Normalisation. Raw entropy (Miller–Madow corrected for sample size) is bounded by log2 of the number of targets (30
 * lookups cannot spread over more than 30 prefixes) and by the sensor's own
 * view: it hears only targets near its identities, so even a uniformly
 * random client looks concentrated on the regions the sensor covers. An
 * address's entropy is therefore divided by the smaller of log2(its queries)
 * and the global entropy at the same resolution (the effective number of
 * prefixes the sensor hears at all), and capped at 1: 1 is as spread out as
 * anything seen through this sensor can be. The global row is divided by the
 * full 8 or 12 bits instead, so it shows how evenly the sensor hears the
 * keyspace.
 *
 * Assessment, on the lower of the two normalised entropies: below
 * `lowEntropy` an address is `organised` when its targets still span at
 * least `organisedMinPrefixes` 12-bit prefixes (it works through a region),
 * `concentrated` when they do not (a few hashes asked again and again:
 * monitors, swarm peers); above `highEntropy` it is `random`; between, `mixed`.
 */
import type { AddressInfo } from '../operator-stream.ts';
import { type Bucket, fixed, num, PREFIXES_12, roundTo } from './base.ts';

export const PREFIX_ENTROPY_DEFAULTS = {
  /** Targeted queries an address needs for a row (entropy of a handful of targets says nothing). */
  minLookups: 30,
  /** Below this normalised entropy: organised or concentrated. */
  lowEntropy: 0.5,
  /** Above it: random, as normal clients are. */
  highEntropy: 0.8,
  /** Low entropy over at least this many distinct 12-bit prefixes is organised scanning. */
  organisedMinPrefixes: 16,
};

export type PrefixEntropyConfig = typeof PREFIX_ENTROPY_DEFAULTS;

export type Assessment = 'organised' | 'concentrated' | 'mixed' | 'random';

/** A row of the prefix_entropy table (props of PREFIX_ENTROPY_COLUMNS). */
export interface PrefixEntropyRow {
  scope: 'global' | 'address';
  remoteIp: string | null;
  asn: number | null;
  lookups: number;
  prefixes12: number;
  entropy8: number;
  entropy12: number;
  assessment: Assessment;
  why: string;
}

/**
 * Shannon entropy in bits of the occupied bins' counts (`total` their sum),
 * H = log2 N − Σ n·log2 n / N, plus with `corrected` the Miller–Madow term
 * (K − 1) / (2N ln 2) for K occupied bins: the plain estimate of a sample of
 * 100 from 70 equally likely prefixes is half a bit short, and that would
 * read as organisation.
 */
function entropyBits(counts: readonly number[], total: number, corrected: boolean): number {
  let sum = 0;
  for (const n of counts) sum += n * Math.log2(n);
  const h = Math.log2(total) - sum / total;
  return corrected ? h + (counts.length - 1) / (2 * total * Math.LN2) : h;
}

/** The occupied bins' counts, at 12 and at 8 bits, of the 12-bit bins listed in `occupied`. */
function occupiedCounts(bins: Float64Array, occupied: readonly number[]): [number[], number[]] {
  const counts12 = occupied.map((p) => bins[p]!);
  const bins8 = new Float64Array(256);
  const occupied8: number[] = [];
  for (const p of occupied) {
    if (bins8[p >>> 4] === 0) occupied8.push(p >>> 4);
    bins8[p >>> 4]! += bins[p]!;
  }
  return [counts12, occupied8.map((p) => bins8[p]!)];
}

export interface EntropyPart {
  pending: Pending[];
  global: Float64Array;
}

interface Pending {
  ipNo: number;
  lookups: number;
  prefixes12: number;
  h8: number;
  h12: number;
}

/** Counts each address's targets per 12-bit prefix, a bucket at a time (base.ts), and the whole keyspace's. */
export class EntropyTally {
  /** The current address's counts per 12-bit prefix, and which are occupied. */
  private readonly bins = new Float64Array(PREFIXES_12);
  private occupied: number[] = [];
  private readonly global = new Float64Array(PREFIXES_12);
  private lookups = 0;
  private readonly pending: Pending[] = [];
  private readonly c: PrefixEntropyConfig;

  constructor(c: PrefixEntropyConfig) {
    this.c = c;
  }

  bucket(b: Bucket): void {
    for (let i = 0; i < b.size; i++) {
      const p = b.head[i]! >>> 20;
      if (this.bins[p] === 0) this.occupied.push(p);
      this.bins[p]! += b.n[i]!;
      this.global[p]! += b.n[i]!;
      this.lookups += b.n[i]!;
    }
  }

  /** What a worker's tally hands back (range-pool.ts). */
  part(): EntropyPart {
    return { pending: this.pending, global: this.global };
  }

  /** Adds another range's tally (ranges absorbed in address order keep the rows in it). */
  absorb(part: EntropyPart): void {
    for (const p of part.pending) this.pending.push(p);
    for (let p = 0; p < PREFIXES_12; p++) this.global[p]! += part.global[p]!;
  }

  endAddress(ipNo: number): void {
    const n = this.lookups;
    if (n > 0 && n >= num(this.c.minLookups)) {
      const [counts12, counts8] = occupiedCounts(this.bins, this.occupied);
      this.pending.push({
        ipNo,
        lookups: n,
        prefixes12: counts12.length,
        h8: entropyBits(counts8, n, true),
        h12: entropyBits(counts12, n, true),
      });
    }
    for (const p of this.occupied) this.bins[p] = 0;
    this.occupied = [];
    this.lookups = 0;
  }

  /**
   * The rows, once every address is in: the global one, then one per address
   * with enough lookups. Raw entropy is bounded by log2 of the number of
   * targets and by the sensor's own view (module comment), so an address's
   * is divided by the smaller of log2(its lookups) and the global entropy at
   * the same resolution, and capped at 1.
   */
  rows(addresses: readonly AddressInfo[]): PrefixEntropyRow[] {
    const c = this.c;
    const assess = (e: number, prefixes: number): Assessment =>
      e < num(c.lowEntropy)
        ? prefixes >= num(c.organisedMinPrefixes)
          ? 'organised'
          : 'concentrated'
        : e > num(c.highEntropy)
          ? 'random'
          : 'mixed';
    const occupied: number[] = [];
    let total = 0;
    this.global.forEach((n, p) => {
      total += n;
      if (n > 0) occupied.push(p);
    });
    if (total === 0) return [];
    const prefixes12 = occupied.length;
    const [counts12, counts8] = occupiedCounts(this.global, occupied);
    const g8 = entropyBits(counts8, total, false);
    const g12 = entropyBits(counts12, total, false);
    const rows: PrefixEntropyRow[] = [
      {
        scope: 'global',
        remoteIp: null,
        asn: null,
        lookups: total,
        prefixes12,
        entropy8: roundTo(g8 / 8, 4),
        entropy12: roundTo(g12 / 12, 4),
        assessment: assess(Math.min(g8 / 8, g12 / 12), prefixes12),
        why:
          `${total} targeted queries over ${prefixes12} of 4096 12-bit prefixes; the sensor hears ` +
          `about ${Math.round(2 ** g8)} of 256 8-bit prefixes' worth (2^${fixed(g8, 2)} bits) and ` +
          `${Math.round(2 ** g12)} of 4096 12-bit ones (2^${fixed(g12, 2)})`,
      },
    ];
    for (const p of this.pending) {
      const e8 = Math.min(1, p.h8 / Math.max(Math.min(Math.log2(p.lookups), g8), 1e-9));
      const e12 = Math.min(1, p.h12 / Math.max(Math.min(Math.log2(p.lookups), g12), 1e-9));
      const address = addresses[p.ipNo - 1]!;
      rows.push({
        scope: 'address',
        remoteIp: address.remoteIp,
        asn: address.asn,
        lookups: p.lookups,
        prefixes12: p.prefixes12,
        entropy8: roundTo(e8, 4),
        entropy12: roundTo(e12, 4),
        assessment: assess(Math.min(e8, e12), p.prefixes12),
        why:
          `${p.lookups} targeted queries over ${p.prefixes12} 12-bit prefixes; entropy ` +
          `${fixed(Math.abs(e8), 2)} (8-bit) and ${fixed(Math.abs(e12), 2)} (12-bit) of the most ` +
          `that ${p.lookups} targets seen through this sensor can have`,
      });
    }
    return rows;
  }
}

/**
 * The keyspace heatmap: the 160-bit keyspace cut into its 65,536 16-bit
 * prefixes ("cells"), with how much of the sensor's traffic each one drew,
 * and the cells far above or below their share.
 *
 * What "expected" means. With uniformly random targets every cell would get
 * the same share, N / 65,536 events. A sensor does not see the keyspace
 * uniformly, though: a query reaches it only when its target lies near one of
 * its identities, so whole regions thousands of cells wide are busier than
 * the uniform share and others nearly silent (docs/scenarios.md). A cell is
 * therefore measured against the larger of the uniform share and the median
 * of its neighbourhood (`localWindow` cells either side): the median follows
 * the broad shape the vantage point gives the map, while a spot hammered by
 * one actor, narrower than the window, does not move it. `localWindow: 0`
 * measures against the uniform share alone.
 *
 * Hot: at least `hotRatio` times the expected count and `hotZ` standard
 * deviations above it on the square-root scale (Anscombe: 2(√(x+3/8) −
 * √(μ+3/8)) is close to a standard normal for Poisson counts, where the plain
 * (x − μ)/√μ understates the tail of small counts and flags noise).
 * Cold: a run of at least `coldMinRun` adjacent cells each at most
 * `coldRatio` of the uniform share, whose events together are at least
 * `coldZ` below the run's uniform expectation (same scale). Judging the run,
 * not the cell, is what makes a sparse store work: one empty cell where 1.8
 * events were expected is chance, sixteen in a row are not; and where the
 * uniform share is a fraction of an event, no run is long enough to say
 * anything and nothing is cold. Cold zones mostly show where the sensor is
 * blind (no identity near them), which is worth knowing too.
 */
import { type Bucket, CELLS, hexOf, num, roundTo } from './base.ts';

export const HEATMAP_DEFAULTS = {
  /** Hot: events at least this many times the expected count… */
  hotRatio: 4,
  /** …and this far above it on the square-root scale (z ≥ 5: about 1 false cell in 200 maps of pure noise). */
  hotZ: 5,
  /** …and at least this many events (a cell with 3 where 0.5 were expected is not a zone). */
  hotMinEvents: 10,
  /** Cells either side whose median is the local baseline (0: the uniform share only). */
  localWindow: 256,
  /** Cold: cells at most this share of the uniform count… */
  coldRatio: 0.2,
  /** …in a run of at least this many adjacent cells (16 cells: one 12-bit prefix)… */
  coldMinRun: 16,
  /** …holding together this far below the run's uniform expectation (square-root scale). */
  coldZ: 6,
};

export type HeatmapConfig = typeof HEATMAP_DEFAULTS;

export type Zone = 'hot' | 'cold' | 'normal';

/** One row of keyspace_heatmap, as the renderers read it. */
export interface HeatmapRow {
  prefix16: number;
  events: number;
  lookups: number;
  addresses: number;
  infohashes: number;
  zone: Zone;
}

/** A row of the keyspace_heatmap table (props of KEYSPACE_HEATMAP_COLUMNS). */
export interface HeatmapTableRow extends HeatmapRow {
  prefix: string;
  expected: number;
  ratio: number | undefined;
  z: number;
  zoneStart: number | undefined;
  zoneCells: number | undefined;
}

/** Per cell, side by side (one cache line): events, get_peers, distinct addresses, the last address counted. */
const EVENTS = 0;
const LOOKUPS = 1;
const ADDRESSES = 2;
const LAST_ADDRESS = 3;
const STRIDE = 4;

export interface HeatmapPart {
  counts: Float64Array;
  asInfohash: Uint8Array;
}

/** The cells' counts, filled a bucket at a time (base.ts). */
export class HeatmapCells {
  private readonly counts = new Float64Array(CELLS * STRIDE);
  readonly infohashes = new Int32Array(CELLS);
  /** 1 for the targets asked as infohashes, by string id. */
  private readonly asInfohash: Uint8Array;
  /** The targets' key fractions (targets.ts), by string id. */
  private readonly targetKeys: Float64Array;

  constructor(targetKeys: Float64Array) {
    this.targetKeys = targetKeys;
    this.asInfohash = new Uint8Array(targetKeys.length);
  }

  bucket(b: Bucket): void {
    const { counts, asInfohash } = this;
    for (let i = 0; i < b.size; i++) {
      const at = (b.head[i]! >>> 16) * STRIDE;
      counts[at + EVENTS]! += b.n[i]!;
      counts[at + LOOKUPS]! += b.nl[i]!;
      // An address counts once per cell.
      if (counts[at + LAST_ADDRESS] !== b.ipNo) {
        counts[at + LAST_ADDRESS] = b.ipNo;
        counts[at + ADDRESSES]!++;
      }
      if (b.ih[i] === 1) asInfohash[b.target[i]!] = 1;
    }
  }

  /** What a worker's tally hands back (range-pool.ts): plain typed arrays. */
  part(): HeatmapPart {
    return { counts: this.counts, asInfohash: this.asInfohash };
  }

  /** Adds another range's tally: address ranges are disjoint, so distinct addresses add up. */
  absorb(part: HeatmapPart): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += part.counts[i]!;
    for (let id = 0; id < this.asInfohash.length; id++)
      this.asInfohash[id]! |= part.asInfohash[id]!;
  }

  /** Counts the distinct infohashes per cell, once every bucket is in. */
  finish(): void {
    const { asInfohash, targetKeys, infohashes } = this;
    for (let id = 0; id < asInfohash.length; id++)
      if (asInfohash[id] === 1) infohashes[Math.floor(targetKeys[id]! * CELLS)]!++;
  }

  events(cell: number): number {
    return this.counts[cell * STRIDE + EVENTS]!;
  }

  lookups(cell: number): number {
    return this.counts[cell * STRIDE + LOOKUPS]!;
  }

  addresses(cell: number): number {
    return this.counts[cell * STRIDE + ADDRESSES]!;
  }
}

/**
 * The keyspace_heatmap rows: all 65,536 cells, the empty ones with zeros,
 * each against its baseline, classed, and hot or cold runs made zones.
 */
export function heatmapRows(cells: HeatmapCells, c: HeatmapConfig): HeatmapTableRow[] {
  const events = Float64Array.from({ length: CELLS }, (_, p) => cells.events(p));
  let total = 0;
  for (const e of events) total += e;
  const share = total / CELLS;
  const local = localMedians(events, Math.max(0, Math.round(c.localWindow)));
  const hotRatio = num(c.hotRatio);
  const hotZ = num(c.hotZ);
  const hotMinEvents = num(c.hotMinEvents);
  const coldRatio = num(c.coldRatio);
  const anscombe = (x: number, mu: number) => 2 * (Math.sqrt(x + 0.375) - Math.sqrt(mu + 0.375));
  const rows: HeatmapTableRow[] = new Array(CELLS);
  const candidate: Zone[] = new Array(CELLS);
  for (let p = 0; p < CELLS; p++) {
    const e = events[p]!;
    const expected = Math.max(share, local?.[p] ?? 0);
    const z = anscombe(e, expected);
    candidate[p] =
      e >= hotMinEvents && expected > 0 && e >= hotRatio * expected && z >= hotZ
        ? 'hot'
        : share > 0 && e <= coldRatio * share
          ? 'cold'
          : 'normal';
    rows[p] = {
      prefix16: p,
      prefix: hexOf(p, 4),
      events: e,
      lookups: cells.lookups(p),
      addresses: cells.addresses(p),
      infohashes: cells.infohashes[p]!,
      expected: roundTo(expected, 3),
      ratio: expected > 0 ? roundTo(e / expected, 3) : undefined,
      z: roundTo(z, 2),
      zone: 'normal',
      zoneStart: undefined,
      zoneCells: undefined,
    };
  }
  // Runs of adjacent cells of one class: hot runs are zones; cold runs when long and empty enough.
  for (let from = 0; from < CELLS; ) {
    const kind = candidate[from]!;
    let to = from;
    let runEvents = 0;
    while (to < CELLS && candidate[to] === kind) runEvents += events[to++]!;
    const cells = to - from;
    const zone =
      kind !== 'cold'
        ? kind
        : cells >= num(c.coldMinRun) && anscombe(runEvents, cells * share) <= -num(c.coldZ)
          ? 'cold'
          : 'normal';
    for (let p = from; p < to; p++) {
      const row = rows[p]!;
      row.zone = zone;
      if (zone !== 'normal') {
        row.zoneStart = from;
        row.zoneCells = cells;
      }
    }
    from = to;
  }
  return rows;
}

/**
 * The median of each cell's neighbourhood, `window` cells either side (fewer
 * at the ends of the keyspace; an even count averages the middle two), or
 * undefined for a window of 0.
 */
function localMedians(values: Float64Array, window: number): Float64Array | undefined {
  if (window === 0) return undefined;
  const n = values.length;
  const sorted: number[] = [];
  const insert = (v: number) => sorted.splice(lowerBound(sorted, v), 0, v);
  const remove = (v: number) => sorted.splice(lowerBound(sorted, v), 1);
  for (let p = 0; p <= Math.min(window, n - 1); p++) insert(values[p]!);
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const m = sorted.length;
    out[p] = m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
    if (p + window + 1 < n) insert(values[p + window + 1]!);
    if (p - window >= 0) remove(values[p - window]!);
  }
  return out;
}

function lowerBound(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Hot cells, hot zones and cold zones, for the step's summary. */
export function zoneCounts(rows: readonly HeatmapTableRow[]) {
  const starts = { hot: new Set<number>(), cold: new Set<number>() };
  let hotCells = 0;
  for (const r of rows) {
    if (r.zone === 'normal') continue;
    if (r.zone === 'hot') hotCells++;
    starts[r.zone].add(r.zoneStart!);
  }
  return { hotCells, hotZones: starts.hot.size, coldZones: starts.cold.size };
}

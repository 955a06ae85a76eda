/**
 * What every detector returns, and the small helpers they share. Detectors
 * are pure: they read an address's ordered events and features and return a
 * verdict with the evidence in words, so the same code can run over a store
 * or, later, live over a sliding window.
 */

/** The operator classes, one per remote address (docs/scenarios.md lists what each does). */
export const OPERATOR_CLASSES = [
  'normal_client',
  'dht_node',
  'swarm_peer',
  'sequential_crawler',
  'prefix_walker',
  'sample_infohashes_crawler',
  'periodic_monitor',
  'burst_prober',
  'distributed_campaign',
  'sybil_fleet',
] as const;

export type OperatorClass = (typeof OPERATOR_CLASSES)[number];

export interface Detection {
  label: OperatorClass;
  /** 0 … 1: how far past its thresholds the evidence is, and how much of it there is. */
  confidence: number;
  /** The evidence, short and human ("214 targets in ascending order (98 % monotone) over 3h12m"). */
  why: string;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/**
 * A confidence from how far `value` is past `threshold` towards `ideal`
 * (0.5 at the threshold, 1 at the ideal), damped when `support` is below
 * `fullSupport` observations.
 */
export function confidenceFrom(
  value: number,
  threshold: number,
  ideal: number,
  support = 1,
  fullSupport = 1,
): number {
  const past = ideal === threshold ? 1 : clamp01((value - threshold) / (ideal - threshold));
  const evidence = clamp01(support / fullSupport);
  return round2((0.5 + 0.5 * past) * (0.6 + 0.4 * evidence));
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** A duration in microseconds as 3h12m, 14m, 42s. */
export function formatSpan(us: number): string {
  const s = Math.round(us / 1e6);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  // Selection, not a sort: the middle items in linear time (medians of gaps run over
  // every lookup of every address).
  const a = Float64Array.from(values);
  const mid = n >> 1;
  const upper = select(a, mid);
  if (n % 2 === 1) return upper;
  // After selecting `mid`, everything before it is ≤ it: the lower middle is their largest.
  let lower = a[0]!;
  for (let i = 1; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

/** Puts the item of rank `k` at `a[k]`, the smaller ones before it, the others after (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

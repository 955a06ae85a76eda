/**
 * MinHash sketches of hash sets and LSH banding to find similar ones
 * without comparing every pair. An address's lookup targets become one
 * 64-value signature: value i is the minimum, over the set, of hash
 * function i. Two signatures agree at a position with probability equal to
 * the sets' Jaccard similarity, so the share of agreeing positions
 * estimates it (standard error √(J(1−J)/k): ± 0.06 at J = 0.5, k = 64).
 *
 * Banding: the signature is cut into `bands` bands of `rows` values; two
 * sets become candidates when any band is identical, which happens with
 * probability 1 − (1 − J^rows)^bands — an S-curve around
 * (1/bands)^(1/rows) (0.5 for 16 × 4), so pairs well above the threshold
 * are almost always found and pairs far below almost never compared.
 */

export const MINHASH_DEFAULTS = {
  /** Hash functions, the signature's length. */
  hashes: 64,
  /** LSH bands; hashes / bands values per band. */
  bands: 16,
  /**
   * A bucket shared by more sets than this (the same one or two popular
   * hashes) yields only its neighbours in sorted order as candidates, so the
   * work stays linear; a real fleet in it is still joined, link by link.
   */
  maxBucket: 200,
};

export type MinhashConfig = typeof MINHASH_DEFAULTS;

/** Seeds of the hash functions: odd multiples of the golden ratio, fixed so signatures are reproducible. */
function seeds(k: number): Uint32Array {
  const out = new Uint32Array(k);
  for (let i = 0; i < k; i++) out[i] = Math.imul(2 * i + 1, 0x9e3779b9) >>> 0;
  return out;
}

/** murmur3's 32-bit finalizer over x ⊕ seed: one hash function per seed, well mixed for any input. */
function mix(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Signatures of many sets at once, laid end to end (set s at s·k … s·k + k−1).
 * Elements are 32-bit integers (e.g. a hash of each infohash, made in SQL);
 * an empty set keeps the all-ones signature, which nothing else shares by chance.
 */
export function minhashSignatures(sets: readonly ArrayLike<number>[], k = 64): Uint32Array {
  const seed = seeds(k);
  const sig = new Uint32Array(sets.length * k).fill(0xffffffff);
  for (let s = 0; s < sets.length; s++) {
    const set = sets[s]!;
    const base = s * k;
    for (let e = 0; e < set.length; e++) {
      const x = set[e]!;
      for (let i = 0; i < k; i++) {
        const h = mix(x, seed[i]!);
        if (h < sig[base + i]!) sig[base + i] = h;
      }
    }
  }
  return sig;
}

/** The Jaccard estimate of sets a and b: the share of positions where their signatures agree. */
export function estimateJaccard(sig: Uint32Array, a: number, b: number, k = 64): number {
  let same = 0;
  for (let i = 0; i < k; i++) if (sig[a * k + i] === sig[b * k + i]) same++;
  return same / k;
}

/** Exact Jaccard similarity, for tests and small sets. */
export function exactJaccard(a: Iterable<number>, b: Iterable<number>): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let both = 0;
  for (const x of sa) if (sb.has(x)) both++;
  const union = sa.size + sb.size - both;
  return union === 0 ? 0 : both / union;
}

/** Candidate pairs [i, j] (i < j, each once) of the first `count` sets that share a whole band. */
export function lshCandidates(
  sig: Uint32Array,
  count: number,
  config: MinhashConfig = MINHASH_DEFAULTS,
): [number, number][] {
  const k = config.hashes;
  const rows = Math.max(1, Math.floor(k / config.bands));
  const seen = new Set<number>();
  const out: [number, number][] = [];
  const add = (i: number, j: number) => {
    const [a, b] = i < j ? [i, j] : [j, i];
    const key = a * count + b;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([a, b]);
  };
  for (let band = 0; band < config.bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let s = 0; s < count; s++) {
      const start = s * k + band * rows;
      if (sig[start] === 0xffffffff) continue; // empty set
      let key = '';
      for (let r = 0; r < rows; r++) key += `${sig[start + r]!.toString(36)},`;
      const bucket = buckets.get(key);
      if (bucket === undefined) buckets.set(key, [s]);
      else bucket.push(s);
    }
    for (const bucket of buckets.values()) {
      if (bucket.length < 2) continue;
      if (bucket.length > config.maxBucket) {
        for (let i = 1; i < bucket.length; i++) add(bucket[i - 1]!, bucket[i]!);
        continue;
      }
      for (let i = 0; i < bucket.length; i++)
        for (let j = i + 1; j < bucket.length; j++) add(bucket[i]!, bucket[j]!);
    }
  }
  return out;
}

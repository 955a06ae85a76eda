/**
 * Inclusive address ranges kept in sorted typed arrays and found by binary
 * search. An address is `width` big-endian 32-bit words (1 for IPv4, 4 for
 * IPv6), compared word by word, so IPv6 is exact without BigInt.
 *
 * Ranges may overlap (the npm ASN data has one overlap, and future releases
 * may have more): where they do, the range that starts later wins, which in
 * that data is the more specific one. Lookup stays exact through a parent
 * chain: for each range that starts inside an earlier one, the nearest such
 * earlier range. Non-overlapping data has no parents and pays nothing.
 */
export class RangeTable {
  /** 32-bit words per address: 1 for IPv4, 4 for IPv6. */
  readonly width: number;
  readonly size: number;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  private readonly parents: Map<number, number>;

  /** `starts` and `ends` hold `size * width` words, rows sorted by start. */
  constructor(width: number, starts: Uint32Array, ends: Uint32Array) {
    if (starts.length !== ends.length || starts.length % width !== 0) {
      throw new RangeError('starts and ends must hold the same whole number of addresses');
    }
    this.width = width;
    this.size = starts.length / width;
    this.starts = starts;
    this.ends = ends;
    this.parents = overlapParents(width, starts, ends, this.size);
  }

  /** The row whose range holds `key` (`width` words), or -1. */
  find(key: Uint32Array): number {
    const { width, starts, ends } = this;
    // The last row that starts at or before the key.
    let lo = 0;
    let hi = this.size - 1;
    let row = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(starts, mid * width, key, 0, width) <= 0) {
        row = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    while (row >= 0) {
      if (compare(key, 0, ends, row * width, width) <= 0) return row;
      row = this.parents.get(row) ?? -1;
    }
    return -1;
  }

  /** The number of rows that start inside an earlier row (0 for clean data). */
  get overlaps(): number {
    return this.parents.size;
  }
}

/** Compares the `width`-word addresses at a[ai] and b[bi]. */
export function compare(
  a: Uint32Array,
  ai: number,
  b: Uint32Array,
  bi: number,
  width: number,
): number {
  for (let k = 0; k < width; k++) {
    const x = a[ai + k]!;
    const y = b[bi + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * For each row, the nearest earlier row still open at its start. The stack
 * holds the rows that may still cover later addresses, most recent on top;
 * following parents from any row walks that stack downwards, so it meets every
 * earlier row that covers an address, latest start first.
 */
function overlapParents(
  width: number,
  starts: Uint32Array,
  ends: Uint32Array,
  size: number,
): Map<number, number> {
  const parents = new Map<number, number>();
  const open: number[] = [];
  for (let row = 0; row < size; row++) {
    while (open.length > 0 && compare(ends, open.at(-1)! * width, starts, row * width, width) < 0) {
      open.pop();
    }
    if (open.length > 0) parents.set(row, open.at(-1)!);
    open.push(row);
  }
  return parents;
}

/** Keyspace arithmetic on hex ids and targets, as detectors need it. */

/** The leading 52 bits of a hex id as a fraction of the keyspace, [0, 1). */
export function keyFraction(hex: string): number {
  return Number.parseInt(hex.slice(0, 13).padEnd(13, '0'), 16) / 2 ** 52;
}

/** The leading 12 bits (three hex digits): the "prefix" a prefix walker steps through. */
export function prefix12(hex: string): number {
  return Number.parseInt(hex.slice(0, 3).padEnd(3, '0'), 16);
}

/** How many leading bits two hex ids share. */
export function commonPrefixBits(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const x = Number.parseInt(a[i]!, 16) ^ Number.parseInt(b[i]!, 16);
    if (Number.isNaN(x)) return bits;
    if (x === 0) {
      bits += 4;
      continue;
    }
    return bits + Math.clz32(x) - 28;
  }
  return bits;
}

/** Keyspace arithmetic on hex ids and targets, as detectors need it. */

/** The leading 52 bits of a hex id as a fraction of the keyspace, [0, 1). */
export function keyFraction(hex: string): number {
  return Number.parseInt(hex.slice(0, 13).padEnd(13, '0'), 16) / 2 ** 52;
}

/**
 * keyFraction of each string, or −1 when its first 13 characters (padded
 * with zeros) are not hex: what the batch readers compute in SQL, here for
 * strings already read.
 */
export function keyFractions(strings: readonly (string | undefined)[]): Float64Array {
  const keys = new Float64Array(strings.length);
  for (let id = 0; id < strings.length; id++) {
    const digits = (strings[id] ?? '').slice(0, 13).padEnd(13, '0');
    keys[id] = HEX13.test(digits) ? Number.parseInt(digits, 16) / 2 ** 52 : -1;
  }
  return keys;
}

const HEX13 = /^[0-9a-fA-F]{13}$/;

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

/** Keyspace arithmetic on hex ids and targets, as detectors need it. */
import { sharedArray } from './shared-memory.ts';

/**
 * The leading 52 bits of a hex id as a fraction of the keyspace, [0, 1).
 * Detectors call it once per event, so an id that starts with 13 hex digits
 * is read digit by digit; anything else goes through parseInt as it always has.
 */
export function keyFraction(hex: string): number {
  const value = leadingHex(hex, 13);
  if (value >= 0) return value / 2 ** 52;
  return Number.parseInt(hex.slice(0, 13).padEnd(13, '0'), 16) / 2 ** 52;
}

/** The value of the first `digits` characters when all are hex digits, else −1. */
function leadingHex(text: string, digits: number): number {
  if (text.length < digits) return -1;
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const digit = hexDigit(text.charCodeAt(i));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * keyFraction of each string, or −1 when its first 13 characters (padded
 * with zeros) are not hex: what the batch readers compute in SQL, here for
 * the millions of distinct targets a read holds, digit by digit (a slice,
 * a regular expression and parseInt per string cost three times as much).
 */
export function keyFractions(strings: readonly (string | undefined)[]): Float64Array {
  // Shared memory: worker threads of later steps read the keys without a copy.
  const keys = sharedArray(Float64Array, strings.length);
  for (let id = 0; id < strings.length; id++) {
    const text = strings[id] ?? '';
    const digits = Math.min(text.length, 13);
    let value = 0;
    let i = 0;
    for (; i < digits; i++) {
      const digit = hexDigit(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
    }
    keys[id] = i < digits ? -1 : (value * 16 ** (13 - digits)) / 2 ** 52;
  }
  return keys;
}

/** The value of a hex digit's character code, or −1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** The leading 12 bits (three hex digits): the "prefix" a prefix walker steps through. */
export function prefix12(hex: string): number {
  const value = leadingHex(hex, 3);
  return value >= 0 ? value : Number.parseInt(hex.slice(0, 3).padEnd(3, '0'), 16);
}

/** How many leading bits two hex ids share. */
export function commonPrefixBits(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let bits = 0;
  for (let i = 0; i < n; i++) {
    // A character that is not a hex digit counts as 0, as it always has.
    const x = Math.max(0, hexDigit(a.charCodeAt(i))) ^ Math.max(0, hexDigit(b.charCodeAt(i)));
    if (x === 0) {
      bits += 4;
      continue;
    }
    return bits + Math.clz32(x) - 28;
  }
  return bits;
}

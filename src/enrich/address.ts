import { formatIp, parseIp } from '../protocol/net/ip.ts';

/**
 * An address as every source wants it: its family, its canonical text (the
 * form mmdb-lib parses) and its 32-bit words (what the tables compare).
 */
export interface Address {
  readonly family: 4 | 6;
  readonly text: string;
  /** The bytes as big-endian 32-bit words (see `toWords`). */
  readonly words: Uint32Array;
}

/**
 * Parses text into an Address, or `undefined` if it is not an IP address.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack socket reports for an
 * IPv4 peer) is looked up as the IPv4 address it carries: the IPv6 data has no
 * entries for ::ffff:0:0/96.
 */
export function toAddress(text: string): Address | undefined {
  const bytes = parseIp(text);
  if (bytes === null) return undefined;
  if (bytes.length === 16 && isIpv4Mapped(bytes)) {
    const v4 = bytes.slice(12);
    return { family: 4, text: formatIp(v4), words: toWords(v4) };
  }
  const family = bytes.length === 4 ? 4 : 6;
  return { family, text: formatIp(bytes), words: toWords(bytes) };
}

/** ::ffff:0:0/96 */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * The address as big-endian 32-bit words (1 for IPv4, 4 for IPv6), the key
 * the range tables compare on: word by word is exact over all 128 bits.
 */
export function toWords(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(bytes.length / 4);
  for (let w = 0; w < words.length; w++) {
    const i = w * 4;
    words[w] =
      ((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0;
  }
  return words;
}

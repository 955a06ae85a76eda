// BEP 33 scrape bloom filters: the `BFsd` (seeds) and `BFpe` (peers) fields a
// node adds to a `get_peers` response when asked to scrape.
//
// Every implementation must build them bit for bit the same way, because a
// scraper ORs the filters of many nodes together and estimates the size of the
// union: one deviant filter would distort every count it is merged into.

import { createHash } from 'node:crypto';

/** Size of a filter on the wire: 256 bytes (BEP 33). */
export const SCRAPE_BLOOM_BYTES = 256;

/** m, the number of bits in a filter. */
const BITS = SCRAPE_BLOOM_BYTES * 8;

/** k, the number of bits set per inserted address. */
const HASHES = 2;

/** A BEP 33 bloom filter over peer IP addresses (k = 2, m = 2048). */
export class ScrapeBloom {
  readonly #bits: Uint8Array;

  /** An empty filter. */
  constructor() {
    this.#bits = new Uint8Array(SCRAPE_BLOOM_BYTES);
  }

  /**
   * A filter holding a copy of `bytes`, as found in a `BFsd` or `BFpe` field;
   * null if it is not exactly 256 bytes (a malformed field from the network).
   */
  static from(bytes: Uint8Array): ScrapeBloom | null {
    if (bytes.length !== SCRAPE_BLOOM_BYTES) return null;
    const bloom = new ScrapeBloom();
    bloom.#bits.set(bytes);
    return bloom;
  }

  /** Adds an address: 4 bytes (IPv4) or 16 bytes (IPv6), network order, no port. */
  insert(ip: Uint8Array): void {
    const [first, second] = bitIndexes(ip);
    this.#bits[first >> 3]! |= 1 << (first & 7);
    this.#bits[second >> 3]! |= 1 << (second & 7);
  }

  /** True if `ip` may have been inserted; false if it certainly was not. */
  has(ip: Uint8Array): boolean {
    const [first, second] = bitIndexes(ip);
    return this.#isSet(first) && this.#isSet(second);
  }

  /** A new filter holding both sets, as if every address of each were inserted. */
  union(other: ScrapeBloom): ScrapeBloom {
    const result = new ScrapeBloom();
    for (let i = 0; i < SCRAPE_BLOOM_BYTES; i++) {
      result.#bits[i] = this.#bits[i]! | other.#bits[i]!;
    }
    return result;
  }

  /**
   * The estimated number of distinct addresses inserted, by the BEP 33 formula
   * `log(c / m) / (k * log(1 - 1/m))` with `c = min(m - 1, zero bits)`.
   *
   * Kept exactly as the BEP writes it, quirks included, so that estimates agree
   * with other implementations: an empty filter gives about 0.5 rather than 0
   * (c is capped at m - 1), and a full one gives Infinity. Past roughly 6000
   * addresses the estimate is no longer meaningful (BEP 33).
   */
  estimateCount(): number {
    const zeroBits = Math.min(BITS - 1, BITS - this.#countSetBits());
    return Math.log(zeroBits / BITS) / (HASHES * Math.log(1 - 1 / BITS));
  }

  /** A copy of the 256 filter bytes, ready to be sent as `BFsd` or `BFpe`. */
  get bytes(): Uint8Array {
    return this.#bits.slice();
  }

  #isSet(index: number): boolean {
    return (this.#bits[index >> 3]! & (1 << (index & 7))) !== 0;
  }

  #countSetBits(): number {
    let count = 0;
    for (const byte of this.#bits) {
      let rest = byte;
      while (rest !== 0) {
        rest &= rest - 1;
        count++;
      }
    }
    return count;
  }
}

/**
 * The two bit positions BEP 33 sets for an address: the first two and the next
 * two bytes of its SHA-1, each read little-endian, modulo m. Bit i lives in
 * byte i / 8 at weight 1 << (i % 8).
 */
function bitIndexes(ip: Uint8Array): [number, number] {
  if (ip.length !== 4 && ip.length !== 16) {
    throw new RangeError(`an IP address has 4 or 16 bytes, not ${ip.length}`);
  }
  const hash = createHash('sha1').update(ip).digest();
  const first = (hash[0]! | (hash[1]! << 8)) % BITS;
  const second = (hash[2]! | (hash[3]! << 8)) % BITS;
  return [first, second];
}

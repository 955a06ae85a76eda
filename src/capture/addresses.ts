/**
 * Addresses as small integers. Every address met in a capture gets an id the
 * first time it is seen, and its text form is made once, then: the hot path
 * compares and hashes numbers, never builds a string per packet.
 */
import { formatIpv6, ipv4Number, parseIp } from '../protocol/net/ip.ts';
import { writtenThrough } from './columns.ts';
import { HASH_SEED, hashTriple, mixSeeded } from './int-hash.ts';

export class AddressTable {
  /**
   * IPv4 ids by address: open addressing over one typed array of (address,
   * id + 1) pairs, so a lookup — two per packet — is usually one cache line,
   * where a Map's buckets and entries cost several. 0 marks an empty pair.
   */
  private v4 = new Int32Array(2 << 16);
  private v4Mask = (1 << 16) - 1;
  private v4Count = 0;
  /**
   * IPv6 ids by address: open addressing over (four words, id + 1) slots of
   * V6_SLOT int32s, as for IPv4. (Nested Maps keyed by the words hashed them
   * with V8's hash for numbers, which takes no seed: a sender could choose
   * the last 64 bits of many addresses to share one of its buckets.)
   */
  private v6 = new Int32Array(V6_SLOT << 10);
  private v6Mask = (1 << 10) - 1;
  private v6Count = 0;
  private readonly byText = new Map<string, number>();
  private readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  /**
   * The id of an IPv4 address given as a 32-bit number (network order read
   * big-endian). Pass it as a signed int32 (`getInt32`): small integers stay
   * unboxed, where addresses above 127.255.255.255 as uint32 would be heap numbers.
   */
  internV4(address: number): number {
    const key = address | 0;
    const table = this.v4;
    const mask = this.v4Mask;
    let i = hashV4(key) & mask;
    for (;;) {
      const id = table[2 * i + 1]!;
      if (id === 0) break;
      if (table[2 * i] === key) return id - 1;
      i = (i + 1) & mask;
    }
    // IPv4 text is looked up by number (internText), so it needs no entry by text.
    const fresh = this.texts.length;
    this.texts.push(
      `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`,
    );
    table[2 * i] = key;
    table[2 * i + 1] = fresh + 1;
    if (++this.v4Count * 2 > mask) this.growV4();
    return fresh;
  }

  private growV4(): void {
    const old = this.v4;
    const mask = this.v4Mask * 2 + 1;
    const table = writtenThrough(new Int32Array(2 * (mask + 1)));
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = hashV4(old[j]!) & mask;
      while (table[2 * i + 1] !== 0) i = (i + 1) & mask;
      table[2 * i] = old[j]!;
      table[2 * i + 1] = old[j + 1]!;
    }
    this.v4 = table;
    this.v4Mask = mask;
  }

  /**
   * The id of an endpoint as the packet decoder gives it: an IPv6 address is
   * an id already, an IPv4 address is the address itself (see DecodedPacket).
   */
  idOf(address: number, v6: boolean): number {
    return v6 ? address : this.internV4(address);
  }

  /** The id of the IPv6 address in the 16 bytes at `offset`. */
  internV6(bytes: Uint8Array, view: DataView, offset: number): number {
    const a = view.getInt32(offset);
    const b = view.getInt32(offset + 4);
    const c = view.getInt32(offset + 8);
    const d = view.getInt32(offset + 12);
    const table = this.v6;
    const mask = this.v6Mask;
    let at = (hashV6(a, b, c, d) & mask) * V6_SLOT;
    for (;;) {
      const id = table[at + 4]!;
      if (id === 0) break;
      if (table[at] === a && table[at + 1] === b && table[at + 2] === c && table[at + 3] === d) {
        return id - 1;
      }
      at = (at + V6_SLOT) & (table.length - 1);
    }
    const fresh = this.add(formatIpv6(bytes, offset));
    table[at] = a;
    table[at + 1] = b;
    table[at + 2] = c;
    table[at + 3] = d;
    table[at + 4] = fresh + 1;
    if (++this.v6Count * 2 > mask) this.growV6();
    return fresh;
  }

  private growV6(): void {
    const old = this.v6;
    const mask = this.v6Mask * 2 + 1;
    const table = writtenThrough(new Int32Array((mask + 1) * V6_SLOT));
    for (let j = 0; j < old.length; j += V6_SLOT) {
      if (old[j + 4] === 0) continue;
      let i = hashV6(old[j]!, old[j + 1]!, old[j + 2]!, old[j + 3]!) & mask;
      while (table[i * V6_SLOT + 4] !== 0) i = (i + 1) & mask;
      table.set(old.subarray(j, j + V6_SLOT), i * V6_SLOT);
    }
    this.v6 = table;
    this.v6Mask = mask;
  }

  /** The id of an address given as text, or undefined if the text is not an address. */
  internText(text: string): number | undefined {
    // Dotted quads (most predictions) go by number: hashing a fresh string costs more.
    const v4 = ipv4Number(text);
    if (v4 >= 0) return this.internV4(v4 | 0);
    const known = this.byText.get(text);
    if (known !== undefined) return known;
    const bytes = parseIp(text);
    if (bytes === null) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return bytes.length === 4 ? this.internV4(view.getInt32(0)) : this.internV6(bytes, view, 0);
  }

  text(id: number): string {
    return this.texts[id]!;
  }

  /** An IPv6 address's id by its text: two spellings of one address map to one id. */
  private add(text: string): number {
    const existing = this.byText.get(text);
    const id = existing ?? this.texts.length;
    if (existing === undefined) {
      this.texts.push(text);
      this.byText.set(text, id);
    }
    return id;
  }
}

/** Int32s per IPv6 slot: the address's four words, its id + 1, and padding to a power of two. */
const V6_SLOT = 8;

/** An IPv6 address's four words, each mixed under the run's seed before the next joins. */
function hashV6(a: number, b: number, c: number, d: number): number {
  return mixSeeded(hashTriple(a, b, c) ^ d, HASH_SEED);
}

/** Mixes all of an address's bits into the low ones (neighbouring addresses are common), under the run's seed. */
function hashV4(key: number): number {
  return mixSeeded(key ^ HASH_SEED, HASH_SEED);
}

/**
 * Addresses as small integers. Every address met in a capture gets an id the
 * first time it is seen, and its text form is made once, then: the hot path
 * compares and hashes numbers, never builds a string per packet.
 */
import { formatIpv6, ipv4Number, parseIp } from '../protocol/net/ip.ts';
import { writtenThrough } from './columns.ts';
import { HASH_SEED, mixSeeded } from './int-hash.ts';

export class AddressTable {
  /**
   * IPv4 ids by address: open addressing over one typed array of (address,
   * id + 1) pairs, so a lookup — two per packet — is usually one cache line,
   * where a Map's buckets and entries cost several. 0 marks an empty pair.
   */
  private v4 = new Int32Array(2 << 16);
  private v4Mask = (1 << 16) - 1;
  private v4Count = 0;
  /** IPv6 addresses by their four 32-bit words, nested so no key string is built. */
  private readonly v6 = new Map<number, Map<number, Map<number, Map<number, number>>>>();
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
    const a = view.getUint32(offset);
    const b = view.getUint32(offset + 4);
    const c = view.getUint32(offset + 8);
    const d = view.getUint32(offset + 12);
    let l1 = this.v6.get(a);
    if (l1 === undefined) {
      l1 = new Map();
      this.v6.set(a, l1);
    }
    let l2 = l1.get(b);
    if (l2 === undefined) {
      l2 = new Map();
      l1.set(b, l2);
    }
    let l3 = l2.get(c);
    if (l3 === undefined) {
      l3 = new Map();
      l2.set(c, l3);
    }
    const id = l3.get(d);
    if (id !== undefined) return id;
    const fresh = this.add(formatIpv6(bytes, offset));
    l3.set(d, fresh);
    return fresh;
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

/** Mixes all of an address's bits into the low ones (neighbouring addresses are common), under the run's seed. */
function hashV4(key: number): number {
  return mixSeeded(key ^ HASH_SEED, HASH_SEED);
}

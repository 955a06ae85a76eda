/**
 * DHT queries waiting for their response, found by querier, responder (each an
 * address id and a port) and transaction id without building a key string: a
 * capture of a busy link holds one DHT datagram in eight, and the string
 * (two addresses, two ports, the id as text) with its hashing was about a
 * tenth of the whole analysis. Addresses come as the analyzer's ids, so the
 * hash mixes a few integers instead of the characters of two address texts.
 *
 * Bounded as the other pending tables are (see BoundedTable): past
 * `maxEntries` the oldest query goes, and one older than `ttlUs` no longer
 * matches. It is built on typed arrays instead of a Map of objects, since
 * most queries are answered within milliseconds: a Map filled and emptied
 * once a query allocated an entry, a query object and rehashed tables, a
 * tenth of what the whole analysis allocated.
 *
 * A query is found under a 52-bit hash of its five parts, and holds the parts
 * themselves: a response matches only a query equal in every part. A hash
 * shared by two queries (about n²/2⁵³ for n pending) keeps the later one, and a
 * response whose hash meets another query's takes it away unmatched: a
 * collision can lose a match, never make one.
 */
import { latin1 } from '../../protocol/bencode/index.ts';
import { extend, writtenThrough } from '../columns.ts';
import { HASH_SEED, mixSeeded } from '../int-hash.ts';

/** Transaction ids up to this long are kept as numbers (with their length, below 2^51). */
const NUMERIC_TID_BYTES = 6;

// The hash index: per slot the key's two words (32 and 20 bits of the hash)
// and the entry number + 1 (0: an empty slot). Linear probing, deletion by
// backward shift; a slot's home is its high word.
const SLOT = 4;
const SLOT_SHIFT = 2;
const KEY_HIGH = 0;
const KEY_LOW = 1;
const ENTRY = 2;

// An entry: eight int32s, six used: at 32 bytes no entry straddles two cache lines.
// Its time and transaction id sit in float64 arrays.
const ENTRY_INTS = 8;
const QUERIER = 0;
const RESPONDER = 1;
/** Querier port in the high 16 bits, responder port in the low. */
const PORTS = 2;
/** Which insertion this entry is (see `order`); -1 once freed. */
const SERIAL = 3;
const HIGH = 4;
const LOW = 5;

const INITIAL = 1024;

export class PendingQueries {
  private readonly maxEntries: number;
  private readonly ttlUs: number;
  private slots = INITIAL * 2;
  private index = new Int32Array(this.slots * SLOT);
  private ints = new Int32Array(INITIAL * ENTRY_INTS);
  private times = new Float64Array(INITIAL);
  /** Transaction ids as numbers; NaN for a long one, kept in `tidTexts`. */
  private tids = new Float64Array(INITIAL);
  private readonly tidTexts: (string | undefined)[] = [];
  private readonly free: number[] = [];
  private entries = 0;
  /**
   * Insertions, oldest first, as (entry, serial) pairs from `head` to `tail`:
   * a pair whose entry no longer has that serial was taken or replaced since,
   * and is skipped when the oldest is evicted.
   */
  private order = new Int32Array(INITIAL * 2);
  private head = 0;
  private tail = 0;
  private serial = 0;
  // The key of the latest `locate`, in two words.
  private high = 0;
  private low = 0;
  size = 0;

  constructor(maxEntries: number, ttlUs: number) {
    this.maxEntries = maxEntries;
    this.ttlUs = ttlUs;
  }

  /** A query from `querier` to `responder` with the transaction id `buf[tStart..tEnd)`, seen at `ts`. */
  add(
    querier: number,
    querierPort: number,
    responder: number,
    responderPort: number,
    buf: Uint8Array,
    tStart: number,
    tEnd: number,
    ts: number,
  ): void {
    const tid = tidValue(buf, tStart, tEnd);
    let slot = this.locate(querier, querierPort, responder, responderPort, tid);
    let entry: number;
    if (this.index[slot + ENTRY] !== 0) {
      // The same hash again: the later query takes the earlier one's place, and its age.
      entry = this.index[slot + ENTRY]! - 1;
    } else {
      if ((this.size + 1) * 2 > this.slots) {
        this.growIndex();
        slot = this.locate(querier, querierPort, responder, responderPort, tid);
      }
      entry = this.allocate();
      const index = this.index;
      index[slot + KEY_HIGH] = this.high;
      index[slot + KEY_LOW] = this.low;
      index[slot + ENTRY] = entry + 1;
      this.size++;
    }
    const at = entry * ENTRY_INTS;
    const ints = this.ints;
    ints[at + QUERIER] = querier;
    ints[at + RESPONDER] = responder;
    ints[at + PORTS] = (querierPort << 16) | responderPort;
    ints[at + HIGH] = this.high;
    ints[at + LOW] = this.low;
    this.times[entry] = ts;
    if (typeof tid === 'number') {
      this.tids[entry] = tid;
      if (entry < this.tidTexts.length) this.tidTexts[entry] = undefined;
    } else {
      this.tids[entry] = Number.NaN;
      this.tidTexts[entry] = tid;
    }
    this.serial = (this.serial + 1) & 0x7fffffff;
    ints[at + SERIAL] = this.serial;
    this.remember(entry, this.serial);
    if (this.size > this.maxEntries) this.evictOldest();
  }

  /**
   * Whether the response from `responder` to `querier` with this transaction
   * id answers a query still fresh at `ts`. The query is forgotten either way.
   */
  take(
    querier: number,
    querierPort: number,
    responder: number,
    responderPort: number,
    buf: Uint8Array,
    tStart: number,
    tEnd: number,
    ts: number,
  ): boolean {
    const tid = tidValue(buf, tStart, tEnd);
    const slot = this.locate(querier, querierPort, responder, responderPort, tid);
    const entry = this.index[slot + ENTRY]! - 1;
    if (entry < 0) return false;
    const at = entry * ENTRY_INTS;
    const ints = this.ints;
    const matched =
      ts - this.times[entry]! <= this.ttlUs &&
      ints[at + QUERIER] === querier &&
      ints[at + RESPONDER] === responder &&
      ints[at + PORTS] === ((querierPort << 16) | responderPort) &&
      (typeof tid === 'number' ? this.tids[entry] === tid : this.tidTexts[entry] === tid);
    this.removeSlot(slot);
    this.release(entry);
    return matched;
  }

  /** Hashes the parts into `high` and `low`; returns the offset of their slot, or of the empty slot where they would go. */
  private locate(
    querier: number,
    querierPort: number,
    responder: number,
    responderPort: number,
    tid: number | string,
  ): number {
    let a = Math.imul(querier ^ 0x811c9dc5 ^ HASH_SEED, 0x01000193);
    let b = Math.imul(querier ^ 0x27d4eb2f ^ HASH_SEED, 0x85ebca6b);
    a = Math.imul(a ^ responder, 0x01000193) ^ querierPort;
    b = Math.imul(b ^ responder, 0x85ebca6b) ^ responderPort;
    a = Math.imul(a ^ responderPort, 0x01000193);
    b = Math.imul(b ^ querierPort, 0xc2b2ae35);
    if (typeof tid === 'number') {
      const low = tid % 0x1000000;
      const high = Math.floor(tid / 0x1000000);
      a = Math.imul(a ^ low, 0x01000193) ^ high;
      b = Math.imul(b ^ high, 0xc2b2ae35) ^ low;
    } else {
      for (let i = 0; i < tid.length; i++) {
        const c = tid.charCodeAt(i);
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0xc2b2ae35);
      }
    }
    const high = mixSeeded(a, HASH_SEED);
    const low = mixSeeded(b, HASH_SEED) >>> 12;
    this.high = high;
    this.low = low;
    return this.find(high, low);
  }

  private find(high: number, low: number): number {
    const index = this.index;
    const mask = this.slots - 1;
    let i = high & mask;
    for (;;) {
      const s = i << SLOT_SHIFT;
      if (index[s + ENTRY] === 0) return s;
      if (index[s + KEY_HIGH] === high && index[s + KEY_LOW] === low) return s;
      i = (i + 1) & mask;
    }
  }

  /** Empties a slot; backward-shift deletion keeps every probe chain unbroken without tombstones. */
  private removeSlot(slot: number): void {
    const index = this.index;
    const mask = this.slots - 1;
    let hole = slot >> SLOT_SHIFT;
    for (let j = (hole + 1) & mask; index[(j << SLOT_SHIFT) + ENTRY] !== 0; j = (j + 1) & mask) {
      const at = j << SLOT_SHIFT;
      const home = index[at + KEY_HIGH]! & mask;
      if (((hole - home) & mask) <= ((j - home) & mask)) {
        const to = hole << SLOT_SHIFT;
        index[to + KEY_HIGH] = index[at + KEY_HIGH]!;
        index[to + KEY_LOW] = index[at + KEY_LOW]!;
        index[to + ENTRY] = index[at + ENTRY]!;
        hole = j;
      }
    }
    index[(hole << SLOT_SHIFT) + ENTRY] = 0;
    this.size--;
  }

  private growIndex(): void {
    const old = this.index;
    this.slots *= 2;
    this.index = writtenThrough(new Int32Array(this.slots * SLOT));
    for (let at = 0; at < old.length; at += SLOT) {
      if (old[at + ENTRY] === 0) continue;
      const s = this.find(old[at + KEY_HIGH]!, old[at + KEY_LOW]!);
      this.index[s + KEY_HIGH] = old[at + KEY_HIGH]!;
      this.index[s + KEY_LOW] = old[at + KEY_LOW]!;
      this.index[s + ENTRY] = old[at + ENTRY]!;
    }
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.entries === this.times.length) {
      const length = this.times.length * 2;
      this.ints = extend(this.ints, new Int32Array(length * ENTRY_INTS));
      this.times = extend(this.times, new Float64Array(length));
      this.tids = extend(this.tids, new Float64Array(length));
    }
    return this.entries++;
  }

  private release(entry: number): void {
    this.ints[entry * ENTRY_INTS + SERIAL] = -1;
    if (entry < this.tidTexts.length) this.tidTexts[entry] = undefined;
    this.free.push(entry);
  }

  /** Records an insertion at the young end of `order`. */
  private remember(entry: number, serial: number): void {
    if (this.tail === this.order.length) this.makeRoom();
    this.order[this.tail] = entry;
    this.order[this.tail + 1] = serial;
    this.tail += 2;
  }

  /** Drops the insertions no longer current, and grows `order` if it is still over half full. */
  private makeRoom(): void {
    const order = this.order;
    const ints = this.ints;
    let to = 0;
    for (let from = this.head; from < this.tail; from += 2) {
      const entry = order[from]!;
      if (ints[entry * ENTRY_INTS + SERIAL] !== order[from + 1]) continue;
      order[to] = entry;
      order[to + 1] = order[from + 1]!;
      to += 2;
    }
    this.head = 0;
    this.tail = to;
    if (to * 2 > order.length) {
      const bigger = new Int32Array(order.length * 2);
      bigger.set(order.subarray(0, to));
      this.order = bigger;
    }
  }

  /** Removes the query that has been pending longest. */
  private evictOldest(): void {
    const order = this.order;
    const ints = this.ints;
    while (this.head < this.tail) {
      const entry = order[this.head]!;
      const serial = order[this.head + 1]!;
      this.head += 2;
      const at = entry * ENTRY_INTS;
      if (ints[at + SERIAL] !== serial) continue;
      this.removeSlot(this.find(ints[at + HIGH]!, ints[at + LOW]!));
      this.release(entry);
      return;
    }
  }
}

/**
 * The id's bytes as one number, its length above them so that "\x00" and
 * "\x00\x00" differ; ids longer than NUMERIC_TID_BYTES as text.
 */
function tidValue(buf: Uint8Array, start: number, end: number): number | string {
  const length = end - start;
  if (length > NUMERIC_TID_BYTES) return latin1(buf, start, end);
  let value = length;
  for (let i = start; i < end; i++) value = value * 256 + buf[i]!;
  return value;
}

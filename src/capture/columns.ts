/** Helpers for the capture layer's column stores (typed arrays that grow by doubling). */

export type Column = Int32Array | Uint16Array | Float64Array | Uint8Array;

/** `to` with `from` copied to its start: a grown column. */
export function extend<T extends Column>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

/**
 * `column`, zeroed by writing it once through: for a fresh hash table. A large
 * typed array comes from the kernel unwritten, and a table's probes read a page
 * before they write it. Linux then maps its shared zero page on the read and
 * copies it on the write: two faults a page instead of one, and the second
 * flushes the TLB of every core V8's threads run on. `pcap analyze` on the
 * 2.4 GB bench capture took 113 k page faults before, 90 k after.
 */
export function writtenThrough<T extends Column>(column: T): T {
  column.fill(0);
  return column;
}

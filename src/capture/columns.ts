/** Helpers for the capture layer's column stores (typed arrays that grow by doubling). */

export type Column = Int32Array | Uint16Array | Float64Array | Uint8Array;

/** `to` with `from` copied to its start: a grown column. */
export function extend<T extends Column>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

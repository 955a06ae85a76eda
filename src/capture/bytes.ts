/**
 * A real copy of some bytes. `Buffer#slice` returns a view, not a copy, and
 * the capture input reuses its read buffer: anything kept past a call must
 * be copied with this.
 */
export function copyBytes(source: Uint8Array, start = 0, end = source.length): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(source.subarray(start, end));
  return out;
}

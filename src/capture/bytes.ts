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

/** `a` then `b`, copied, at most `max` bytes. */
export function joinBytes(a: Uint8Array, b: Uint8Array, max = Infinity): Uint8Array {
  const n = Math.min(a.length + b.length, max);
  const out = new Uint8Array(n);
  out.set(a.subarray(0, n));
  if (n > a.length) out.set(b.subarray(0, n - a.length), a.length);
  return out;
}

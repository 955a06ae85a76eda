/** Byte helpers of the dht layer. */

/** The bytes as a binary (latin1) string: a compact map key for short byte strings. */
export function bytesToKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]!);
  return key;
}

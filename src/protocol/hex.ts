/** Lowercase hexadecimal of bytes: the one encoder every layer uses for ids, hashes and raw bytes. */

const BYTE_TO_HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

/**
 * From this many bytes on (node ids, infohashes), Node's own encoder over the
 * same memory is about twice as fast as building the string here, and its
 * string comes out flat; below (transaction ids, versions), the loop wins.
 */
const NATIVE_FROM = 8;

export function toHex(bytes: Uint8Array): string {
  if (bytes.length >= NATIVE_FROM) {
    const view =
      bytes instanceof Buffer
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return view.toString('hex');
  }
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += BYTE_TO_HEX[bytes[i]!];
  return hex;
}

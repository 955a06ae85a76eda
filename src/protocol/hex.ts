/** Lowercase hexadecimal of bytes: the one encoder every layer uses for ids, hashes and raw bytes. */

const BYTE_TO_HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += BYTE_TO_HEX[bytes[i]!];
  return hex;
}

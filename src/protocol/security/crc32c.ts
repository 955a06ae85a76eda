// CRC-32C (Castagnoli), the checksum BEP 42 hashes masked IP addresses with.
//
// BEP 42 picked CRC-32C over zlib's CRC-32 because it spreads IP prefixes
// evenly over the id space and has a hardware instruction (SSE 4.2). Here it
// is plain table-driven software: it only ever hashes 4 or 8 bytes.

/** The CRC-32C polynomial 0x1EDC6F41 with its bits reversed (LSB-first form). */
const CASTAGNOLI_REFLECTED = 0x82f63b78;

/** crc of each single byte value, so the loop below handles 8 bits per step. */
const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 1 ? (crc >>> 1) ^ CASTAGNOLI_REFLECTED : crc >>> 1;
    }
    table[byte] = crc >>> 0;
  }
  return table;
}

/**
 * CRC-32C of `data`, as an unsigned 32-bit integer.
 *
 * Pass a previous result as `crc` to continue over more bytes:
 * `crc32c(b, crc32c(a))` equals the crc of `a` followed by `b`. The usual
 * pre- and post-inversion are applied inside, so callers start from 0.
 */
export function crc32c(data: Uint8Array, crc = 0): number {
  let state = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) {
    state = TABLE[(state ^ data[i]!) & 0xff]! ^ (state >>> 8);
  }
  return ~state >>> 0;
}

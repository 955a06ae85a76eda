/** An infohash from what a user types: 40 hex digits, 32 base32 letters, or a magnet link. */
import { nodeIdFromHex } from '../protocol/kademlia/index.ts';

export type ParsedInfohash = { ok: true; infoHash: Uint8Array } | { ok: false; reason: string };

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function parseInfohash(text: string): ParsedInfohash {
  let value = text.trim();
  if (value.toLowerCase().startsWith('magnet:')) {
    const match = /[?&]xt=urn:btih:([^&]+)/i.exec(value);
    if (match === null)
      return { ok: false, reason: 'the magnet link has no xt=urn:btih: infohash (BEP 9)' };
    value = decodeURIComponent(match[1]!);
  }
  if (/^[0-9a-fA-F]{40}$/.test(value))
    return { ok: true, infoHash: nodeIdFromHex(value.toLowerCase()) };
  if (/^[A-Za-z2-7]{32}$/.test(value))
    return { ok: true, infoHash: fromBase32(value.toUpperCase()) };
  return {
    ok: false,
    reason: `"${text}" is not an infohash: give 40 hex digits, 32 base32 letters or a magnet link`,
  };
}

function fromBase32(text: string): Uint8Array {
  const out = new Uint8Array(20);
  let bits = 0;
  let buffer = 0;
  let i = 0;
  for (const char of text) {
    buffer = (buffer << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (buffer >>> bits) & 0xff;
    }
  }
  return out;
}

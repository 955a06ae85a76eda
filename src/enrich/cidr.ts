import { formatIp, parseIp } from '../protocol/net/ip.ts';
import { isIpv4Mapped, toWords } from './address.ts';

/** A network: the family, the network address as words (host bits zero), the prefix length. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly words: Uint32Array;
  readonly prefix: number;
}

/**
 * Parses `address/prefix`, or a bare address as a single host (/32, /128).
 * Returns a sentence saying what is wrong instead of throwing. Host bits must
 * be zero (`127.1.2.3/16` is refused with the network it probably means), and
 * IPv4-mapped IPv6 networks are refused because lookups see such addresses as
 * IPv4.
 */
export function parseCidr(text: string): Cidr | { problem: string } {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addressText);
  if (bytes === null) return { problem: `"${addressText}" is not an IPv4 or IPv6 address` };
  const family = bytes.length === 4 ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return { problem: `"/${prefixText}" is not a prefix length from 0 to ${bits}` };
    }
    prefix = Number(prefixText);
  }
  if (family === 6 && isIpv4Mapped(bytes)) {
    return { problem: `"${text}" is IPv4-mapped IPv6; write the IPv4 network instead` };
  }
  const words = toWords(bytes);
  const network = maskWords(words, prefix);
  if (!network.every((w, i) => w === words[i])) {
    const suggestion = `${formatIp(wordsToBytes(network))}/${prefix}`;
    return { problem: `"${text}" has host bits set; did you mean ${suggestion}?` };
  }
  return { family, words: network, prefix };
}

/** The first `prefix` bits of the address, the rest zero. */
export function maskWords(words: Uint32Array, prefix: number): Uint32Array {
  const out = new Uint32Array(words.length);
  for (let w = 0; w < words.length; w++) {
    const keep = Math.min(32, Math.max(0, prefix - w * 32));
    // `>>> 0` keeps the mask unsigned; a shift by 32 is a shift by 0 in JavaScript, hence the case.
    const mask = keep === 0 ? 0 : (0xffffffff << (32 - keep)) >>> 0;
    out[w] = (words[w]! & mask) >>> 0;
  }
  return out;
}

function wordsToBytes(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  for (let w = 0; w < words.length; w++) view.setUint32(w * 4, words[w]!);
  return bytes;
}

import { ByteKeyMap, type DecodeOptions } from '../bencode/index.ts';
import { ALL_TABLES } from './tables.ts';

/**
 * Decode options for one datagram: the KRPC keys to intern, and limits. KRPC nests three levels; a BEP 44 `v` may
 * nest more, but a UDP payload is at most 65,507 bytes, so these bound the
 * work any datagram can cost without refusing anything a real node sends.
 */
export const KRPC_DECODE_OPTIONS: Readonly<DecodeOptions> = {
  maxDepth: 32,
  maxStringLength: 65_536,
  maxElements: 65_536,
  maxIntegerDigits: 32,
  knownKeys: new ByteKeyMap(
    [
      ...new Set([
        'a',
        'e',
        'q',
        'r',
        't',
        'y',
        ...ALL_TABLES.flatMap((t) => t.fields.map((f) => f.wire)),
      ]),
    ].map((key) => [key, key] as const),
  ),
};

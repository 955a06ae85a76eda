/** Typed KRPC message → canonical bencoded datagram. */
import { type BEncodable, encode } from '../bencode/index.ts';
import { writeFields } from './fields.ts';
import { COMMON_TABLE, QUERY_TABLES, RESPONSE_TABLE, UNKNOWN_QUERY_TABLE } from './tables.ts';
import type { KrpcMessage } from './types.ts';

/**
 * Encodes a message. Throws TypeError/RangeError when the message breaks its
 * own type (a required field missing, a node of the wrong family): that is a
 * bug in the caller, not bad input from the network.
 */
export function encodeKrpc(message: KrpcMessage): Uint8Array {
  const top: Record<string, BEncodable> = { ...writeFields(message, COMMON_TABLE), t: message.t };
  switch (message.y) {
    case 'q':
      top.y = 'q';
      if (message.method === 'unknown') {
        top.q = message.name;
        top.a = writeFields(message.args, UNKNOWN_QUERY_TABLE);
      } else {
        top.q = message.method;
        top.a = writeFields(message.args, QUERY_TABLES[message.method]);
      }
      break;
    case 'r':
      top.y = 'r';
      top.r = writeFields(message.result, RESPONSE_TABLE);
      break;
    case 'e':
      top.y = 'e';
      top.e = [message.code, message.message];
      break;
  }
  return encode(top);
}

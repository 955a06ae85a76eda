/**
 * From a planned query to the datagrams it becomes: which nodes receive it
 * (the closest to its target), with which node id and transaction id, and
 * which datagrams the network loses. Shared by the live runner and the trace
 * generator, so both lose the same datagrams and reach the same nodes.
 */
import { encodeKrpc } from '../protocol/krpc/index.ts';
import type { KrpcQuery } from '../protocol/krpc/types.ts';
import type { PlannedQuery } from './behavior.ts';
import type { Directory, DirectoryNode } from './directory.ts';
import type { Rng } from './rng.ts';

/** k of BEP 5: how many nodes the last step of a lookup asks. */
export const DEFAULT_FANOUT = 8;

export interface Delivery {
  to: DirectoryNode;
  message: KrpcQuery;
}

/**
 * The datagrams of one planned query that survive `lossRate`. `token` gives
 * an announce the token the destination handed this sender (live runs);
 * traces pass none and mark announces as carrying a valid token.
 */
export function deliveries(
  query: PlannedQuery,
  directory: Directory,
  rng: Rng,
  lossRate: number,
  token: (to: DirectoryNode) => Uint8Array | undefined,
): Delivery[] {
  const fanout = query.fanout ?? (query.method === 'ping' ? 1 : DEFAULT_FANOUT);
  const out: Delivery[] = [];
  for (const to of directory.closest(query.target, fanout)) {
    if (lossRate > 0 && rng.chance(lossRate)) continue;
    const id =
      query.idFromDestination === undefined
        ? query.nodeId
        : copyBits(query.nodeId, to.id, query.idFromDestination);
    const t = query.txid ?? rng.bytes(2);
    out.push({ to, message: message(query, id, t, token(to)) });
  }
  return out;
}

export function encodeDelivery(delivery: Delivery): Uint8Array {
  return encodeKrpc(delivery.message);
}

function message(
  query: PlannedQuery,
  id: Uint8Array,
  t: Uint8Array,
  token: Uint8Array | undefined,
): KrpcQuery {
  const common = query.version === undefined ? { t } : { t, v: query.version };
  switch (query.method) {
    case 'ping':
      return { ...common, y: 'q', method: 'ping', args: { id } };
    case 'find_node':
      return { ...common, y: 'q', method: 'find_node', args: { id, target: query.target } };
    case 'get_peers':
      return { ...common, y: 'q', method: 'get_peers', args: { id, infoHash: query.target } };
    case 'sample_infohashes':
      return { ...common, y: 'q', method: 'sample_infohashes', args: { id, target: query.target } };
    case 'announce_peer':
      return {
        ...common,
        y: 'q',
        method: 'announce_peer',
        args: {
          id,
          infoHash: query.target,
          port: query.announcePort ?? 6881,
          impliedPort: query.announcePort === undefined,
          token: token ?? NO_TOKEN,
        },
      };
  }
}

/** What an actor that never got a token sends: a token no node issued. */
const NO_TOKEN = Uint8Array.of(0, 0, 0, 0);

/** `id` with its first `bits` bits taken from `from`. */
export function copyBits(id: Uint8Array, from: Uint8Array, bits: number): Uint8Array {
  const out = Uint8Array.from(id);
  const whole = Math.min(20, Math.floor(bits / 8));
  out.set(from.subarray(0, whole));
  const rest = bits - whole * 8;
  if (rest > 0 && whole < 20) {
    const mask = (0xff << (8 - rest)) & 0xff;
    out[whole] = (from[whole]! & mask) | (id[whole]! & ~mask & 0xff);
  }
  return out;
}

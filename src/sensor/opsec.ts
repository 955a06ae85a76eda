/**
 * The opsec contract of passive mode (DESIGN.md), enforced at the one place
 * every outgoing datagram passes: a sensor answers like a well-behaved node
 * (responses and errors), and of its own accord sends only pings and
 * find_node queries whose target is one of its own ids. It never sends
 * get_peers, announce_peer, sample_infohashes, get or put, never stores or
 * serves peers, and never opens TCP (nothing in the sensor layer can).
 */
import type { KrpcMessage } from '../protocol/krpc/types.ts';

export type SendVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'query-method-forbidden' | 'find-node-foreign-target' };

/** Decides whether a message may leave the sensor. Pure: the same message always gets the same verdict. */
export function passiveVerdict(message: KrpcMessage, ownIds: ReadonlySet<string>): SendVerdict {
  if (message.y !== 'q') return { allowed: true }; // answers to queries others sent us
  if (message.method === 'ping') return { allowed: true };
  if (message.method === 'find_node') {
    return ownIds.has(toHex(message.args.target))
      ? { allowed: true }
      : { allowed: false, reason: 'find-node-foreign-target' };
  }
  return { allowed: false, reason: 'query-method-forbidden' };
}

/** What a passive identity answers: no peers, nothing stored, an empty BEP 51 sample. */
export const PASSIVE_ANSWERS = {
  peersFor: () => [],
  onAnnounce: () => {},
  /** BEP 51: an empty sample and the longest interval the BEP allows, so indexers come back rarely. */
  samples: () => ({ samples: new Uint8Array(0), num: 0, interval: 21_600 }),
} as const;

import { toHex } from '../protocol/hex.ts';

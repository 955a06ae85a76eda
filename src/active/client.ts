/**
 * The DHT node an active tool speaks through: our own engine, read-only
 * (BEP 43: others keep it out of their routing tables, and it answers no
 * queries), with no upkeep of its own, so that every packet it sends is one
 * the tool asked for and paid for in its politeness budget. Retries are made
 * here, not in the engine, so that each one waits for its own slot.
 */

import { randomBytes } from 'node:crypto';
import { DhtQueryError } from '../dht/errors.ts';
import type { OutgoingQuery } from '../dht/node.ts';
import { DhtNode } from '../dht/node.ts';
import type { QueryDestination } from '../dht/transactions.ts';
import { udpTransport } from '../dht/udp-transport.ts';
import { randomNodeId } from '../protocol/kademlia/index.ts';
import type { KrpcResponse } from '../protocol/krpc/index.ts';
import type { Politeness } from './politeness.ts';

/** Our `v`: "DS" (dhtscope) 0.1, as the sensor sends. */
export const ACTIVE_VERSION = Uint8Array.of(0x44, 0x53, 0x00, 0x01);

export interface ActiveNodeOptions {
  /** Local address: 0.0.0.0 or :: for any, or one address. */
  bind: string;
  /** Local port; 0 for any. Default 0. */
  port?: number;
  /** How long to wait for one answer, ms. Default 2,000. */
  timeoutMs?: number;
  /** Our node id; default random. */
  id?: Uint8Array;
}

export async function openActiveNode(options: ActiveNodeOptions): Promise<DhtNode> {
  const transport = await udpTransport({ address: options.bind, port: options.port ?? 0 });
  return new DhtNode({
    id: options.id ?? randomNodeId((n) => randomBytes(n)),
    transport,
    version: ACTIVE_VERSION,
    readOnly: true,
    queryTimeoutMs: options.timeoutMs ?? 2_000,
    maxRetries: 0,
    maintenanceIntervalMs: 0,
    refreshBuckets: false,
    // A read-only node answers nothing (BEP 43): only our own queries leave.
    policy: { allowSend: (message) => message.y === 'q' },
  });
}

/** Sends queries through a politeness budget, retrying timeouts in slots of their own. */
export class ActiveQuerier {
  readonly #node: DhtNode;
  readonly #politeness: Politeness;
  readonly #attempts: number;
  /** Packets sent (retries included). */
  sent = 0;

  constructor(node: DhtNode, politeness: Politeness, attempts = 2) {
    this.#node = node;
    this.#politeness = politeness;
    this.#attempts = Math.max(1, attempts);
  }

  get node(): DhtNode {
    return this.#node;
  }

  async query(to: QueryDestination, query: OutgoingQuery): Promise<KrpcResponse> {
    for (let attempt = 1; ; attempt++) {
      await this.#politeness.slot(to.address);
      this.sent++;
      try {
        return await this.#node.query(to, query);
      } catch (error) {
        const retry =
          error instanceof DhtQueryError && error.kind === 'timeout' && attempt < this.#attempts;
        if (!retry) throw error;
      }
    }
  }
}

/**
 * Several identities on one UDP port. A datagram does not say which of our
 * node ids it is for, so:
 * - answers (y = r or e) go to the identity whose query they answer, found by
 *   (remote, transaction id);
 * - queries with a target or info_hash go to the identity whose id is XOR-
 *   closest to it: that is the id the querier's lookup led it to;
 * - other queries (ping) go to the identity that last talked to that remote,
 *   or to the port's first identity.
 *
 * Every outgoing datagram passes `passiveVerdict` here, at the last step
 * before the socket, so the opsec contract holds whatever the engine above
 * asks for. Blocked datagrams are counted, never sent.
 */
import type { Endpoint, Transport } from '../dht/transport.ts';
import { toHex } from '../protocol/hex.ts';
import { parseKrpc } from '../protocol/krpc/parse.ts';
import type { KrpcMessage } from '../protocol/krpc/types.ts';
import { passiveVerdict } from './opsec.ts';

/** Bounds: transactions awaiting an answer and remotes remembered, per port. */
export const PORT_MUX_LIMITS = { pendingQueries: 65_536, rememberedRemotes: 65_536 } as const;

export interface MuxStats {
  blocked: number;
  blockedByReason: Record<string, number>;
  unattributedAnswers: number;
}

type Handler = (data: Uint8Array, from: Endpoint) => void;

export class PortMux {
  readonly socket: Transport;
  private readonly ids: Uint8Array[] = [];
  private readonly handlers: (Handler | undefined)[] = [];
  /** `${address}|${port}|${txid hex}` → slot, insertion-ordered for eviction. */
  private readonly pending = new Map<string, number>();
  private readonly lastTalked = new Map<string, number>();
  private readonly ownIds: () => ReadonlySet<string>;
  readonly stats: MuxStats = { blocked: 0, blockedByReason: {}, unattributedAnswers: 0 };

  constructor(socket: Transport, ownIds: () => ReadonlySet<string>) {
    this.socket = socket;
    this.ownIds = ownIds;
    socket.onDatagram((data, from) => this.route(data, from));
  }

  /** A transport for identity `slot`, whose node id is `id` (replaced on rotation with `setId`). */
  channel(slot: number, id: Uint8Array): Transport {
    this.ids[slot] = id;
    const socket = this.socket;
    const mux = this;
    return {
      get local() {
        return socket.local;
      },
      send(data: Uint8Array, to: { address: string; port: number }) {
        mux.send(slot, data, to);
      },
      onDatagram(handler: Handler) {
        mux.handlers[slot] = handler;
      },
      get stats() {
        return socket.stats;
      },
      async close() {
        mux.handlers[slot] = undefined;
      },
    };
  }

  setId(slot: number, id: Uint8Array): void {
    this.ids[slot] = id;
  }

  private send(slot: number, data: Uint8Array, to: { address: string; port: number }): void {
    const single = this.ids.length === 1;
    // Answers need no verdict and no bookkeeping when the port has one identity. Our encoder is
    // canonical and "y" sorts last among top-level keys, so an answer ends in 1:y1:re or 1:y1:ee.
    if (single && isCanonicalAnswer(data)) {
      this.socket.send(data, to);
      return;
    }
    const parsed = parseKrpc(data);
    if (!parsed.ok) {
      this.block('unparseable-outgoing');
      return;
    }
    const verdict = passiveVerdict(parsed.message, this.ownIds());
    if (!verdict.allowed) {
      this.block(verdict.reason);
      return;
    }
    if (parsed.message.y === 'q') {
      remember(
        this.pending,
        `${to.address}|${to.port}|${toHex(parsed.message.t)}`,
        slot,
        PORT_MUX_LIMITS.pendingQueries,
      );
    }
    remember(this.lastTalked, `${to.address}|${to.port}`, slot, PORT_MUX_LIMITS.rememberedRemotes);
    this.socket.send(data, to);
  }

  private block(reason: string): void {
    this.stats.blocked++;
    this.stats.blockedByReason[reason] = (this.stats.blockedByReason[reason] ?? 0) + 1;
  }

  private route(data: Uint8Array, from: Endpoint): void {
    if (this.ids.length === 1) {
      this.handlers[0]?.(data, from);
      return;
    }
    const parsed = parseKrpc(data);
    const slot = parsed.ok ? this.slotFor(parsed.message, from) : this.lastSlot(from);
    (this.handlers[slot] ?? this.handlers.find((h) => h !== undefined))?.(data, from);
  }

  private slotFor(message: KrpcMessage, from: Endpoint): number {
    if (message.y !== 'q') {
      const key = `${from.address}|${from.port}|${toHex(message.t)}`;
      const slot = this.pending.get(key);
      if (slot !== undefined) {
        this.pending.delete(key);
        return slot;
      }
      this.stats.unattributedAnswers++;
      return this.lastSlot(from);
    }
    const args = message.args as { target?: Uint8Array; infoHash?: Uint8Array };
    const target = args.infoHash ?? args.target;
    return target !== undefined && target.length === 20
      ? this.closestSlot(target)
      : this.lastSlot(from);
  }

  private lastSlot(from: Endpoint): number {
    return this.lastTalked.get(`${from.address}|${from.port}`) ?? 0;
  }

  private closestSlot(target: Uint8Array): number {
    let best = 0;
    for (let slot = 1; slot < this.ids.length; slot++) {
      if (closer(target, this.ids[slot]!, this.ids[best]!)) best = slot;
    }
    return best;
  }
}

const ANSWER_END = [0x31, 0x3a, 0x79, 0x31, 0x3a]; // "1:y1:"

function isCanonicalAnswer(data: Uint8Array): boolean {
  const n = data.length;
  if (n < 8 || data[n - 1] !== 0x65) return false;
  const y = data[n - 2];
  if (y !== 0x72 && y !== 0x65) return false;
  for (let i = 0; i < 5; i++) if (data[n - 7 + i] !== ANSWER_END[i]) return false;
  return true;
}

function closer(target: Uint8Array, a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 20; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da < db;
  }
  return false;
}

function remember(map: Map<string, number>, key: string, value: number, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
}

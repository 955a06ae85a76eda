/**
 * A DHT node (BEP 5 with BEPs 32, 33, 42, 43, 51): answers queries, sends its
 * own, keeps its routing table up. It is the same engine for a normal node, a
 * sensor identity, a crawler's client or a lab node; what differs is the
 * policy it is given (policy.ts), never the code.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import {
  type ContactInfo,
  isNodeId,
  nodeIdsEqual,
  nodeIdToHex,
  RoutingTable,
} from '../protocol/kademlia/index.ts';
import {
  encodeKrpc,
  type KrpcMessage,
  type KrpcQuery,
  type KrpcResponse,
  type QueryArgs,
  type QueryMethod,
} from '../protocol/krpc/index.ts';
import type { CompactNode } from '../protocol/net/compact.ts';
import { canonicalAddress, familyOf } from './address.ts';
import { type Clock, systemClock } from './clock.ts';
import { definedOnly } from './defined.ts';
import { DhtQueryError } from './errors.ts';
import type { HandlerContext } from './handlers/index.ts';
import type { InboundListener } from './inbound.ts';
import { iterativeLookup, type LookupNode, type LookupResult } from './lookup.ts';
import { DHT_NODE_DEFAULTS, type DhtNodeOptions } from './node-options.ts';
import { PeerStore } from './peer-store.ts';
import { defaultPolicy, type NodePolicy } from './policy.ts';
import { RateLimiter } from './rate-limiter.ts';
import { Receiver } from './receiver.ts';
import { type DhtNodeStats, newNodeStats } from './stats.ts';
import { TokenIssuer } from './tokens.ts';
import { type QueryDestination, Transactions } from './transactions.ts';
import type { Destination, Endpoint, Transport } from './transport.ts';
import { Upkeep } from './upkeep.ts';

type ArgsOf<M extends QueryMethod> = Omit<QueryArgs[M], 'id'> & { id?: Uint8Array };

/**
 * A query to send. `args.id` defaults to our id; `t`, `v` and `ro` are added
 * by the node. `unknown` sends a method by any name, as lab actors may.
 */
export type OutgoingQuery =
  | { [M in QueryMethod]: { method: M; args: ArgsOf<M> } }[QueryMethod]
  | {
      method: 'unknown';
      name: Uint8Array;
      args: { id?: Uint8Array; target?: Uint8Array; infoHash?: Uint8Array };
    };

export interface LookupOptions {
  /** find_node walks towards nodes; get_peers also collects peers and tokens. Default find_node. */
  method?: 'find_node' | 'get_peers';
  /** Concurrent queries. Default 3. */
  alpha?: number;
  /** Results wanted. Default the routing table's k (8). */
  k?: number;
  /** Queries sent at most. Default 256. */
  maxQueries?: number;
  /** Where to start besides the routing table's closest contacts (bootstrap addresses). */
  seeds?: readonly Destination[];
}

export interface AnnounceOptions {
  /** The port peers should connect to; default: implied_port (our UDP port, BEP 5). */
  port?: number;
  /** BEP 33: we are a seed. */
  seed?: boolean;
}

export class DhtNode {
  readonly id: Uint8Array;
  readonly routingTable: RoutingTable;
  readonly stats: DhtNodeStats = newNodeStats();
  /** The store the default policy serves from (empty when the policy replaces it). */
  readonly peerStore: PeerStore;
  readonly policy: NodePolicy;
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #randomBytes: (n: number) => Uint8Array;
  readonly #version: Uint8Array | undefined;
  readonly #readOnly: boolean;
  readonly #transactions: Transactions;
  readonly #receiver: Receiver;
  readonly #upkeep: Upkeep;
  #started = false;
  #closed: Promise<void> | undefined;

  constructor(options: DhtNodeOptions) {
    if (!isNodeId(options.id)) throw new TypeError('a node id must be a 20-byte Uint8Array');
    const d = DHT_NODE_DEFAULTS;
    this.id = new Uint8Array(options.id);
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#randomBytes = options.randomBytes ?? ((n) => cryptoRandomBytes(n));
    this.#version = options.version === undefined ? undefined : new Uint8Array(options.version);
    this.#readOnly = options.readOnly ?? d.readOnly;
    this.routingTable = new RoutingTable(this.id, options.routingTable);
    this.peerStore = new PeerStore(this.#clock, this.#randomBytes, options.peerStore);
    this.policy = { ...defaultPolicy(this.peerStore), ...definedOnly(options.policy ?? {}) };

    this.#transactions = new Transactions({
      clock: this.#clock,
      randomBytes: this.#randomBytes,
      idBytes: options.transactionIdBytes ?? d.transactionIdBytes,
      maxPending: options.maxPendingQueries ?? d.maxPendingQueries,
      timeoutMs: options.queryTimeoutMs ?? d.queryTimeoutMs,
      maxRetries: options.maxRetries ?? d.maxRetries,
      stats: this.stats,
      send: (message, datagram, to) => this.#send(message, to, datagram),
      onTimeout: (pending) => this.#failed(pending.to),
    });
    this.#upkeep = new Upkeep({
      clock: this.#clock,
      table: this.routingTable,
      randomBytes: this.#randomBytes,
      stats: this.stats,
      pingRate: options.upkeepPingRate ?? d.upkeepPingRate,
      intervalMs: options.maintenanceIntervalMs ?? d.maintenanceIntervalMs,
      refreshBuckets: options.refreshBuckets ?? d.refreshBuckets,
      ping: (contact) => this.ping(contact),
      lookup: (target) => this.lookup(target),
      onTick: () => this.peerStore.purgeExpired(),
    });
    const tokens = new TokenIssuer(this.#clock, this.#randomBytes, {
      rotationMs: options.tokenRotationMs ?? d.tokenRotationMs,
      length: options.tokenBytes ?? d.tokenBytes,
    });
    const context: HandlerContext = {
      id: this.id,
      policy: this.policy,
      tokens,
      // Answers are encoded at once, and contacts are immutable records: no copies.
      closestNodes: (target, family) => this.#closestNodes(target, family),
    };
    this.#receiver = new Receiver({
      clock: this.#clock,
      stats: this.stats,
      local: this.#transport.local,
      rateLimiter: new RateLimiter(
        options.rateLimit ?? d.rateLimit,
        options.maxTrackedRemotes ?? d.maxTrackedRemotes,
        this.#clock,
      ),
      transactions: this.#transactions,
      context,
      version: this.#version,
      send: (message, to) => this.#send(message, to),
      heardFrom: (contact, how, now) => this.#heardFrom(contact, how, now),
      invalidAnswer: (pending) => {
        this.#failed(pending.to);
        pending.reject(new DhtQueryError('invalid-response', pending.method, pending.to));
      },
    });
    this.#transport.onDatagram((data, from) => this.#receiver.receive(data, from));
  }

  /** The transport's local endpoint. */
  get local(): Endpoint {
    return this.#transport.local;
  }

  /** Our queries in flight. */
  get pendingQueries(): number {
    return this.#transactions.size;
  }

  /** Called synchronously for every datagram received: queries, answers, malformed ones. */
  onInbound(listener: InboundListener): void {
    this.#receiver.addListener(listener);
  }

  /**
   * Joins the DHT: a find_node lookup of our own id starting from the
   * bootstrap nodes (and whatever the routing table already holds), and the
   * upkeep timers (questionable pings, 15-minute bucket refresh). Settles
   * with the lookup's result once it is over; never rejects.
   */
  start(options: { bootstrap?: readonly Destination[] } = {}): Promise<LookupResult> {
    if (!this.#started && this.#closed === undefined) {
      this.#started = true;
      this.#upkeep.start();
    }
    return this.lookup(this.id, { seeds: options.bootstrap ?? [] });
  }

  /**
   * Sends a query and settles with the response. Rejects with a
   * DhtQueryError: `timeout` after the retries, `error-response` with the
   * remote's code, `blocked` by the policy, `overloaded`, `closed`,
   * `invalid-response`. Pass `to.id` when known: a timeout is then reported
   * to the routing table.
   */
  query(to: QueryDestination, query: OutgoingQuery): Promise<KrpcResponse> {
    return this.#transactions.start(to, query.method, (t) => this.#message(t, query));
  }

  ping(to: QueryDestination): Promise<KrpcResponse> {
    return this.query(to, { method: 'ping', args: {} });
  }

  findNode(to: QueryDestination, target: Uint8Array, want?: string[]): Promise<KrpcResponse> {
    return this.query(to, { method: 'find_node', args: want ? { target, want } : { target } });
  }

  getPeers(
    to: QueryDestination,
    infoHash: Uint8Array,
    options: { want?: string[]; noseed?: boolean; scrape?: boolean } = {},
  ): Promise<KrpcResponse> {
    return this.query(to, { method: 'get_peers', args: { infoHash, ...definedOnly(options) } });
  }

  announcePeer(
    to: QueryDestination,
    infoHash: Uint8Array,
    token: Uint8Array,
    options: AnnounceOptions = {},
  ): Promise<KrpcResponse> {
    const impliedPort = options.port === undefined;
    const args = {
      infoHash,
      token,
      port: options.port ?? this.#transport.local.port,
      impliedPort,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    };
    return this.query(to, { method: 'announce_peer', args });
  }

  sampleInfohashes(to: QueryDestination, target: Uint8Array): Promise<KrpcResponse> {
    return this.query(to, { method: 'sample_infohashes', args: { target } });
  }

  /** An iterative lookup (lookup.ts) through this node. Never rejects. */
  lookup(target: Uint8Array, options: LookupOptions = {}): Promise<LookupResult> {
    const k = options.k ?? this.routingTable.config.k;
    const method = options.method ?? 'find_node';
    const family = this.#transport.local.family;
    const fromTable = this.#closestNodes(target, family, k).map(
      (c): CompactNode => ({ id: c.id, address: c.address, port: c.port }),
    );
    const seeds: LookupNode[] = [...(options.seeds ?? []), ...fromTable];
    return iterativeLookup({
      target,
      seeds,
      k,
      ...definedOnly({ alpha: options.alpha, maxQueries: options.maxQueries }),
      accept: (node) => this.#worthQuerying(node),
      query: async (node) => {
        const response =
          method === 'get_peers'
            ? await this.getPeers(node, target)
            : await this.findNode(node, target);
        const result = response.result;
        const nodes = (family === 4 ? result.nodes : result.nodes6) ?? [];
        return {
          id: result.id,
          nodes,
          ...(result.values === undefined ? {} : { peers: result.values }),
          ...(result.token === undefined ? {} : { token: result.token }),
        };
      },
    });
  }

  /**
   * Announces that we have `infoHash`: a get_peers lookup, then announce_peer
   * to each of the closest nodes that gave a token. Never rejects; says how
   * many nodes took the announce.
   */
  async announce(
    infoHash: Uint8Array,
    options: AnnounceOptions = {},
  ): Promise<LookupResult & { announcedTo: number }> {
    const found = await this.lookup(infoHash, { method: 'get_peers' });
    let announcedTo = 0;
    await Promise.all(
      found.closest.map(async (node) => {
        const token = found.tokens.get(nodeIdToHex(node.id));
        if (token === undefined) return;
        try {
          await this.announcePeer(node, infoHash, token, options);
          announcedTo++;
        } catch {
          // Counted in stats; one node refusing does not undo the others.
        }
      }),
    );
    return { ...found, announcedTo };
  }

  /** Stops the timers, fails the queries in flight (`closed`), closes the transport. */
  close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#upkeep.stop();
      this.#transactions.close();
      this.#closed = this.#transport.close();
    }
    return this.#closed;
  }

  #message(t: Uint8Array, query: OutgoingQuery): KrpcQuery {
    const common = {
      t,
      y: 'q' as const,
      ...(this.#version === undefined ? {} : { v: this.#version }),
      ...(this.#readOnly ? { ro: true } : {}),
    };
    const args = { ...query.args, id: query.args.id ?? this.id };
    return (
      query.method === 'unknown'
        ? { ...common, method: 'unknown', name: query.name, args }
        : { ...common, method: query.method, args }
    ) as KrpcQuery;
  }

  /** Every outgoing datagram passes the policy here. */
  #send(message: KrpcMessage, to: Destination, datagram?: Uint8Array): boolean {
    if (!this.policy.allowSend(message, to)) {
      this.stats.blockedSends++;
      return false;
    }
    this.#transport.send(datagram ?? encodeKrpc(message), to);
    return true;
  }

  #heardFrom(contact: ContactInfo, how: 'response' | 'query', now: number): void {
    const result = this.routingTable.heardFrom(contact, how, now);
    if (result.kind === 'cached' && result.ping !== undefined) this.#upkeep.ping(result.ping);
  }

  #failed(to: QueryDestination): void {
    if (to.id === undefined) return;
    const result = this.routingTable.failed(to.id, this.#clock.now());
    if (result.kind === 'bad' && result.ping !== undefined) this.#upkeep.ping(result.ping);
  }

  /**
   * The closest contacts not known bad, of one family, closest first: the
   * routing table's own records (immutable) in a fresh array.
   */
  #closestNodes(target: Uint8Array, family: 4 | 6, count?: number): CompactNode[] {
    const now = this.#clock.now();
    const table = this.routingTable;
    return table.closest(
      target,
      count ?? table.config.k,
      (c) => familyOf(c.address) === family && table.state(c, now) !== 'bad',
    );
  }

  /** Nodes a lookup may query: not us, our family, a real port. */
  #worthQuerying(node: CompactNode): boolean {
    if (node.port < 1 || node.port > 65_535) return false;
    if (familyOf(node.address) !== this.#transport.local.family) return false;
    if (nodeIdsEqual(node.id, this.id)) return false;
    const local = this.#transport.local;
    return !(node.port === local.port && canonicalAddress(node.address) === local.address);
  }
}

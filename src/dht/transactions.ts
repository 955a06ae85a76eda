/**
 * Our queries in flight: transaction ids, matching answers to queries,
 * timeouts and retries. Bounded by `maxPending`.
 *
 * Transaction ids are random (from the injected source), never a counter: a
 * counter lets anyone who sees one query guess the next id and answer in our
 * partner's name, and it fingerprints the node. An answer must come from the
 * address and port the query went to, and carry the id, to be taken.
 *
 * A retry re-sends the same datagram, same id: if the first answer was only
 * slow, it still settles the query.
 */
import type { KrpcQuery, KrpcResponse, QueryMethod } from '../protocol/krpc/index.ts';
import { encodeKrpc } from '../protocol/krpc/index.ts';
import { canonicalAddress } from './address.ts';
import { bytesToKey } from './bytes.ts';
import type { Clock } from './clock.ts';
import { DhtQueryError } from './errors.ts';
import type { DhtNodeStats } from './stats.ts';
import type { Destination, Endpoint } from './transport.ts';

/** Where a query goes; `id`, when known, is what the routing table is told on timeout. */
export interface QueryDestination extends Destination {
  id?: Uint8Array;
}

export interface PendingQuery {
  readonly key: string;
  readonly to: QueryDestination;
  /** The destination's address in canonical form; undefined for a host name. */
  readonly canonical: string | undefined;
  readonly method: QueryMethod | 'unknown';
  readonly message: KrpcQuery;
  readonly datagram: Uint8Array;
  attemptsLeft: number;
  timer: unknown;
  resolve(response: KrpcResponse): void;
  reject(error: Error): void;
}

export interface TransactionsDeps {
  clock: Clock;
  randomBytes: (n: number) => Uint8Array;
  idBytes: number;
  maxPending: number;
  timeoutMs: number;
  maxRetries: number;
  stats: DhtNodeStats;
  /** Sends through the policy; false when the policy refused. */
  send(message: KrpcQuery, datagram: Uint8Array, to: Destination): boolean;
  /** Called when a query went unanswered after every retry, before its promise rejects. */
  onTimeout(pending: PendingQuery): void;
}

export class Transactions {
  readonly #deps: TransactionsDeps;
  readonly #pending = new Map<string, PendingQuery>();
  #closed = false;

  constructor(deps: TransactionsDeps) {
    const { idBytes, maxPending, timeoutMs, maxRetries } = deps;
    if (!Number.isInteger(idBytes) || idBytes < 2 || idBytes > 16)
      throw new RangeError(`transactionIdBytes must be 2..16, got ${idBytes}`);
    if (!Number.isInteger(maxPending) || maxPending < 1)
      throw new RangeError(`maxPendingQueries must be >= 1, got ${maxPending}`);
    if (!(timeoutMs > 0)) throw new RangeError(`queryTimeoutMs must be > 0, got ${timeoutMs}`);
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new RangeError(`maxRetries must be an integer >= 0, got ${maxRetries}`);
    this.#deps = deps;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Sends the query `build` makes with a fresh transaction id; settles with its answer. */
  start(
    to: QueryDestination,
    method: QueryMethod | 'unknown',
    build: (t: Uint8Array) => KrpcQuery,
  ): Promise<KrpcResponse> {
    const { stats } = this.#deps;
    if (this.#closed) return Promise.reject(new DhtQueryError('closed', method, to));
    if (this.#pending.size >= this.#deps.maxPending) {
      stats.overloaded++;
      return Promise.reject(new DhtQueryError('overloaded', method, to));
    }
    const t = this.#freshId();
    if (t === undefined) {
      stats.overloaded++;
      return Promise.reject(new DhtQueryError('overloaded', method, to));
    }
    let message: KrpcQuery;
    let datagram: Uint8Array;
    try {
      message = build(t);
      datagram = encodeKrpc(message);
    } catch (error) {
      return Promise.reject(error); // the caller's query breaks its own type
    }
    return new Promise<KrpcResponse>((resolve, reject) => {
      const pending: PendingQuery = {
        key: bytesToKey(t),
        to,
        canonical: canonicalAddress(to.address),
        method,
        message,
        datagram,
        attemptsLeft: this.#deps.maxRetries,
        timer: undefined,
        resolve,
        reject,
      };
      // Registered before sending: a transport that delivered synchronously
      // could otherwise bring the answer before we know the question.
      this.#pending.set(pending.key, pending);
      if (!this.#deps.send(message, datagram, to)) {
        this.#pending.delete(pending.key);
        reject(new DhtQueryError('blocked', method, to));
        return;
      }
      stats.queriesSent++;
      this.#arm(pending);
    });
  }

  /**
   * The query an answer settles, removed from the table; undefined when the
   * id is unknown or the answer comes from elsewhere than the query went.
   */
  take(t: Uint8Array, from: Endpoint): PendingQuery | undefined {
    if (t.length !== this.#deps.idBytes) return undefined;
    const key = bytesToKey(t);
    const pending = this.#pending.get(key);
    if (pending === undefined) return undefined;
    if (pending.canonical !== undefined) {
      const sameAddress =
        pending.canonical === from.address || pending.canonical === canonicalAddress(from.address);
      if (!sameAddress || pending.to.port !== from.port) return undefined;
    }
    this.#pending.delete(key);
    this.#deps.clock.clearTimeout(pending.timer);
    return pending;
  }

  /** Rejects every query in flight with `closed`; later queries are refused. */
  close(): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      this.#deps.clock.clearTimeout(pending.timer);
      pending.reject(new DhtQueryError('closed', pending.method, pending.to));
    }
    this.#pending.clear();
  }

  #arm(pending: PendingQuery): void {
    pending.timer = this.#deps.clock.setTimeout(() => this.#expire(pending), this.#deps.timeoutMs);
  }

  #expire(pending: PendingQuery): void {
    if (this.#pending.get(pending.key) !== pending) return;
    const { stats } = this.#deps;
    if (pending.attemptsLeft > 0) {
      pending.attemptsLeft--;
      if (this.#deps.send(pending.message, pending.datagram, pending.to)) {
        stats.retries++;
        this.#arm(pending);
        return;
      }
      this.#pending.delete(pending.key);
      pending.reject(new DhtQueryError('blocked', pending.method, pending.to));
      return;
    }
    this.#pending.delete(pending.key);
    stats.timeouts++;
    this.#deps.onTimeout(pending);
    pending.reject(new DhtQueryError('timeout', pending.method, pending.to));
  }

  /**
   * A random id no query in flight uses; undefined if none turns up in a few
   * draws, which only a broken (constant) random source makes likely.
   */
  #freshId(): Uint8Array | undefined {
    const length = this.#deps.idBytes;
    for (let draw = 0; draw < 32; draw++) {
      const bytes = this.#deps.randomBytes(length);
      if (bytes.length < length)
        throw new RangeError(
          `randomBytes returned ${bytes.length} bytes, ${length} were asked for`,
        );
      const t = new Uint8Array(bytes.subarray(0, length));
      if (!this.#pending.has(bytesToKey(t))) return t;
    }
    return undefined;
  }
}

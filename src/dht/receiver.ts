/**
 * Every received datagram goes through here: parsed, counted, rate-limited,
 * answered through the policy, matched to our queries, reported to the
 * routing table — and then reported to the inbound listeners, whatever it
 * was. Nothing a datagram contains makes this throw.
 */

import { latin1 } from '../protocol/bencode/index.ts';
import type { ContactInfo } from '../protocol/kademlia/index.ts';
import {
  KRPC_ERROR,
  type KrpcError,
  type KrpcMessage,
  type KrpcQuery,
  type KrpcResponse,
  parseKrpc,
} from '../protocol/krpc/index.ts';
import { type Clock, MicrosecondStamper } from './clock.ts';
import { DhtQueryError } from './errors.ts';
import { answer, type HandlerContext, type Reply } from './handlers/index.ts';
import type { Inbound, InboundAction, InboundListener } from './inbound.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { bump, type DhtNodeStats } from './stats.ts';
import type { PendingQuery, Transactions } from './transactions.ts';
import type { Destination, Endpoint } from './transport.ts';

export interface ReceiverDeps {
  clock: Clock;
  stats: DhtNodeStats;
  local: Endpoint;
  rateLimiter: RateLimiter;
  transactions: Transactions;
  context: HandlerContext;
  /** Our `v`, put on every answer. */
  version: Uint8Array | undefined;
  /** Sends through the policy; false when refused. */
  send(message: KrpcMessage, to: Destination): boolean;
  /** A node answered us or queried us (at `now`, when the caller has read the clock already). */
  heardFrom(contact: ContactInfo, how: 'response' | 'query', now: number): void;
  /** One of our queries got an answer that did not parse. */
  invalidAnswer(pending: PendingQuery): void;
}

const TEXT = new TextEncoder();
const MALFORMED_QUERY = TEXT.encode('malformed query');

/**
 * Handlers answer errors with a few fixed texts ("bad token" to every
 * announce with a stale token); encode each once. The encoder copies the
 * bytes and nothing writes to them, so one array serves every answer.
 */
const ERROR_TEXTS = new Map<string, Uint8Array>();
const MAX_ERROR_TEXTS = 64;

function errorText(text: string): Uint8Array {
  let bytes = ERROR_TEXTS.get(text);
  if (bytes === undefined) {
    bytes = TEXT.encode(text);
    if (ERROR_TEXTS.size < MAX_ERROR_TEXTS) ERROR_TEXTS.set(text, bytes);
  }
  return bytes;
}

export class Receiver {
  readonly #deps: ReceiverDeps;
  readonly #listeners: InboundListener[] = [];
  readonly #stamper = new MicrosecondStamper();
  /** What the query #answerQuery last answered said of its token (announce_peer only). */
  #tokenValid: boolean | undefined;

  constructor(deps: ReceiverDeps) {
    this.#deps = deps;
  }

  addListener(listener: InboundListener): void {
    this.#listeners.push(listener);
  }

  receive(datagram: Uint8Array, from: Endpoint): void {
    const { clock, stats } = this.#deps;
    stats.received++;
    const receivedAt = clock.now();
    const receivedAtMicros = this.#stamper.stamp(receivedAt);
    const result = parseKrpc(datagram);
    let action: InboundAction = 'none';
    let tokenValid: boolean | undefined;
    if (!result.ok) {
      bump(stats.malformed, result.reason);
      if (result.y === 'q' && result.t !== undefined) {
        action = this.#answerMalformed(result.t, from, receivedAt);
      } else if ((result.y === 'r' || result.y === 'e') && result.t !== undefined) {
        const pending = this.#deps.transactions.take(result.t, from);
        if (pending !== undefined) this.#deps.invalidAnswer(pending);
      }
    } else if (result.message.y === 'q') {
      action = this.#answerQuery(result.message, from, receivedAt);
      tokenValid = this.#tokenValid;
    } else {
      action = this.#settle(result.message, from, datagram, receivedAt);
    }
    // No spreads: this runs for every datagram.
    const inbound: Inbound = {
      receivedAt,
      receivedAtMicros,
      from,
      local: this.#deps.local,
      datagram,
      result,
      action,
    };
    if (tokenValid !== undefined) inbound.tokenValid = tokenValid;
    this.#report(inbound);
  }

  #answerQuery(query: KrpcQuery, from: Endpoint, now: number): InboundAction {
    const { stats } = this.#deps;
    bump(stats.queries, query.method);
    this.#tokenValid = undefined;
    if (!this.#deps.rateLimiter.allow(from.address, now)) {
      stats.rateLimited++;
      return 'rate-limited';
    }
    const reply = answer(this.#deps.context, query, from);
    const action = this.#sendReply(query.t, reply, from, query.method);
    // After the answer, so a ping checking the newcomer never overtakes it.
    // BEP 43: a read-only node asks not to be put in routing tables.
    const id = query.args.id;
    if (query.ro !== true && id !== undefined)
      this.#deps.heardFrom({ id, address: from.address, port: from.port }, 'query', now);
    this.#tokenValid = reply.tokenValid;
    return action;
  }

  /** A query whose `t` we could read but whose rest is wrong: error 203. */
  #answerMalformed(t: Uint8Array, from: Endpoint, now: number): InboundAction {
    if (!this.#deps.rateLimiter.allow(from.address, now)) {
      this.#deps.stats.rateLimited++;
      return 'rate-limited';
    }
    const message: KrpcError = {
      ...this.#common(t, from),
      y: 'e',
      code: KRPC_ERROR.protocol,
      message: MALFORMED_QUERY,
    };
    return this.#sendAndCount(message, from, undefined);
  }

  #sendReply(
    t: Uint8Array,
    reply: Reply,
    from: Endpoint,
    method: KrpcQuery['method'],
  ): InboundAction {
    const common = this.#common(t, from);
    const message: KrpcMessage =
      reply.y === 'r'
        ? { ...common, y: 'r', result: reply.result }
        : { ...common, y: 'e', code: reply.code, message: errorText(reply.message) };
    return this.#sendAndCount(message, from, method);
  }

  #sendAndCount(
    message: KrpcResponse | KrpcError,
    to: Endpoint,
    method: KrpcQuery['method'] | undefined,
  ): InboundAction {
    if (!this.#deps.send(message, to)) return 'blocked';
    if (message.y === 'e') {
      bump(this.#deps.stats.errorsSent, String(message.code));
      return 'error';
    }
    if (method !== undefined) bump(this.#deps.stats.answered, method);
    return 'response';
  }

  /** `t`, our `v`, and BEP 42's `ip`: the address we saw the sender at. */
  #common(t: Uint8Array, from: Endpoint): Pick<KrpcResponse, 't' | 'v' | 'ip'> {
    const ip = { address: from.address, port: from.port };
    const version = this.#deps.version;
    return version === undefined ? { t, ip } : { t, v: version, ip };
  }

  /** An answer to one of our queries, or to nothing we asked. */
  #settle(
    message: KrpcResponse | KrpcError,
    from: Endpoint,
    datagram: Uint8Array,
    now: number,
  ): InboundAction {
    const { stats, transactions } = this.#deps;
    const pending = transactions.take(message.t, from);
    if (pending === undefined) {
      stats.unsolicited++;
      return 'unsolicited-response';
    }
    if (message.y === 'e') {
      stats.errorResponses++;
      pending.reject(
        new DhtQueryError('error-response', pending.method, pending.to, {
          code: message.code,
          remoteMessage: latin1(message.message, 0, message.message.length),
        }),
      );
      return 'none';
    }
    stats.responses++;
    // The caller keeps the answer beyond this call, and its byte strings are
    // views into the datagram: hand it a parse of a copy.
    const copy = parseKrpc(new Uint8Array(datagram));
    const response = copy.ok && copy.message.y === 'r' ? copy.message : message;
    this.#deps.heardFrom(
      { id: response.result.id, address: from.address, port: from.port },
      'response',
      now,
    );
    pending.resolve(response);
    return 'none';
  }

  /**
   * Every listener sees every datagram even if an earlier one throws; the
   * first error is then rethrown, since a throwing listener is a bug that
   * must not pass silently.
   */
  #report(inbound: Inbound): void {
    let failed = false;
    let failure: unknown;
    for (const listener of this.#listeners) {
      try {
        listener(inbound);
      } catch (error) {
        if (!failed) [failed, failure] = [true, error];
      }
    }
    if (failed) throw failure;
  }
}

/** What a node reports for every datagram it receives. */
import type { ParseResult } from '../protocol/krpc/index.ts';
import type { Endpoint } from './transport.ts';

/**
 * What the node did with a datagram:
 * - `response`: answered a query;
 * - `error`: answered with a KRPC error (bad token, unknown method, malformed query);
 * - `rate-limited`: a query over the sender's rate limit, dropped unanswered;
 * - `blocked`: an answer was due but the policy refused to send it;
 * - `none`: nothing to answer (a response or error to one of our queries,
 *   or a datagram too broken to answer);
 * - `unsolicited-response`: a response or error matching no query of ours.
 */
export type InboundAction =
  | 'response'
  | 'error'
  | 'rate-limited'
  | 'blocked'
  | 'none'
  | 'unsolicited-response';

export interface Inbound {
  /** clock.now() in ms when the datagram was handled. */
  receivedAt: number;
  /** receivedAt in µs, ordered within a millisecond by arrival (see MicrosecondStamper). */
  receivedAtMicros: number;
  from: Endpoint;
  /** The transport's endpoint: which identity of a multi-identity sensor got it. */
  local: Endpoint;
  /** The raw bytes: a view valid during the listener call only; copy to keep. */
  datagram: Uint8Array;
  /** parseKrpc's verdict; its byte strings are views into `datagram`. */
  result: ParseResult;
  /** For announce_peer: whether the token was one we issued to this address. */
  tokenValid?: boolean;
  action: InboundAction;
}

export type InboundListener = (inbound: Inbound) => void;

/**
 * The named failures of the dht layer. Bad datagrams are not among them:
 * those are data, counted per reason and never thrown.
 */
import type { QueryMethod } from '../protocol/krpc/index.ts';
import type { Destination } from './transport.ts';

/** Why one of our queries did not get an answer. */
export type DhtQueryFailure =
  /** No response after every retry. */
  | 'timeout'
  /** The remote answered with a KRPC error; `code` says which. */
  | 'error-response'
  /** The answer did not parse as KRPC. */
  | 'invalid-response'
  /** The node's policy refused to send the query. */
  | 'blocked'
  /** Too many queries in flight (the bound `maxPendingQueries`). */
  | 'overloaded'
  /** The node was closed before an answer came. */
  | 'closed';

export class DhtQueryError extends Error {
  override readonly name = 'DhtQueryError';
  readonly kind: DhtQueryFailure;
  readonly method: QueryMethod | 'unknown';
  readonly to: Destination;
  /** The KRPC error code, for `error-response`. */
  readonly code: number | undefined;
  /** The KRPC error message as sent (latin1), for `error-response`. */
  readonly remoteMessage: string | undefined;

  constructor(
    kind: DhtQueryFailure,
    method: QueryMethod | 'unknown',
    to: Destination,
    details: { code?: number; remoteMessage?: string } = {},
  ) {
    const where = `${to.address}:${to.port}`;
    const what =
      kind === 'error-response'
        ? `error ${details.code} (${details.remoteMessage ?? ''})`
        : kind === 'blocked'
          ? 'blocked by the node policy'
          : kind;
    super(`${method} to ${where}: ${what}`);
    this.kind = kind;
    this.method = method;
    this.to = { address: to.address, port: to.port };
    this.code = details.code;
    this.remoteMessage = details.remoteMessage;
  }
}

/** A transport could not be opened (port taken, address not local, …). */
export class DhtTransportError extends Error {
  override readonly name = 'DhtTransportError';
  /** The system error code, e.g. EADDRINUSE, when there is one. */
  readonly code: string | undefined;

  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * What a query handler may use, and what it returns. Handlers are pure
 * functions of the query and this context: they send nothing themselves —
 * the node sends the reply, through the policy — so each one is tested by
 * calling it.
 */
import type { KnownQuery, QueryMethod, ResponseResult } from '../../protocol/krpc/index.ts';
import type { CompactNode } from '../../protocol/net/compact.ts';
import type { NodePolicy } from '../policy.ts';
import type { TokenIssuer } from '../tokens.ts';
import type { Endpoint } from '../transport.ts';

export interface HandlerContext {
  /** Our node id. */
  readonly id: Uint8Array;
  readonly policy: NodePolicy;
  readonly tokens: TokenIssuer;
  /** The k closest contacts to `target` that are not bad, of one address family. */
  closestNodes(target: Uint8Array, family: 4 | 6): CompactNode[];
}

/** What to send back: a response, or a KRPC error. */
export type Reply =
  | { readonly y: 'r'; readonly result: ResponseResult; readonly tokenValid?: boolean }
  | {
      readonly y: 'e';
      readonly code: number;
      readonly message: string;
      readonly tokenValid?: boolean;
    };

/** One query of method M. */
export type QueryOf<M extends QueryMethod> = Extract<KnownQuery, { method: M }>;

export type Handler<M extends QueryMethod> = (
  context: HandlerContext,
  query: QueryOf<M>,
  from: Endpoint,
) => Reply;

export function errorReply(code: number, message: string, tokenValid?: boolean): Reply {
  return tokenValid === undefined
    ? { y: 'e', code, message }
    : { y: 'e', code, message, tokenValid };
}

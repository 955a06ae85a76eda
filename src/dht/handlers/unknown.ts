/**
 * Queries of a method we do not know. BEP 5: "a node receiving an unknown
 * query type that contains a target or info_hash argument should respond as
 * if it was find_node or get_peers respectively" — so extensions can be
 * deployed before every node knows them. Anything else: error 204.
 */
import { KRPC_ERROR, type UnknownQuery } from '../../protocol/krpc/index.ts';
import type { Endpoint } from '../transport.ts';
import { errorReply, type HandlerContext, type Reply } from './context.ts';
import { getPeersResult } from './get-peers.ts';
import { nodesFor } from './nodes-for.ts';

export function answerUnknown(context: HandlerContext, query: UnknownQuery, from: Endpoint): Reply {
  if (context.policy.answerUnknown) {
    const { target, infoHash } = query.args;
    if (target !== undefined)
      return { y: 'r', result: { id: context.id, ...nodesFor(context, target, undefined, from) } };
    if (infoHash !== undefined)
      return { y: 'r', result: getPeersResult(context, infoHash, undefined, from) };
  }
  return errorReply(KRPC_ERROR.methodUnknown, 'method unknown');
}

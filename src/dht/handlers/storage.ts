/**
 * get and put (BEP 44): this node stores no items. A `get` carries a
 * `target`, so under BEP 5 forward compatibility it is answered like
 * find_node — exactly what a node without BEP 44 support answers, and a
 * useful answer to the asker, who walks on to closer nodes. A `put` has
 * nothing to answer with: error 204, method unknown.
 */
import { KRPC_ERROR } from '../../protocol/krpc/index.ts';
import { errorReply, type Handler } from './context.ts';
import { nodesFor } from './nodes-for.ts';

export const answerGet: Handler<'get'> = (context, query, from) => {
  if (!context.policy.answerUnknown) return errorReply(KRPC_ERROR.methodUnknown, 'method unknown');
  return {
    y: 'r',
    result: { id: context.id, ...nodesFor(context, query.args.target, undefined, from) },
  };
};

export const answerPut: Handler<'put'> = () =>
  errorReply(KRPC_ERROR.methodUnknown, 'method unknown');

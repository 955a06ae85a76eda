/** find_node (BEP 5, `want` from BEP 32): the k closest contacts we know to the target. */
import type { Handler } from './context.ts';
import { nodesFor } from './nodes-for.ts';

export const answerFindNode: Handler<'find_node'> = (context, query, from) => ({
  y: 'r',
  result: { id: context.id, ...nodesFor(context, query.args.target, query.args.want, from) },
});

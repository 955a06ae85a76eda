/**
 * The `nodes` / `nodes6` part of find_node, get_peers and sample_infohashes
 * answers (BEP 32): with a `want` list, `nodes` for "n4" and `nodes6` for
 * "n6"; without one (or with neither flag in it), the family the query came
 * over. A wanted family we have no contacts of is sent as an empty string,
 * which tells the asker we have none.
 */
import type { ResponseResult } from '../../protocol/krpc/index.ts';
import type { Endpoint } from '../transport.ts';
import type { HandlerContext } from './context.ts';

export function nodesFor(
  context: HandlerContext,
  target: Uint8Array,
  want: readonly string[] | undefined,
  from: Endpoint,
): Pick<ResponseResult, 'nodes' | 'nodes6'> {
  let v4 = want?.includes('n4') === true;
  let v6 = want?.includes('n6') === true;
  if (!v4 && !v6) {
    v4 = from.family === 4;
    v6 = from.family === 6;
  }
  const answer: Pick<ResponseResult, 'nodes' | 'nodes6'> = {};
  if (v4) answer.nodes = context.closestNodes(target, 4);
  if (v6) answer.nodes6 = context.closestNodes(target, 6);
  return answer;
}

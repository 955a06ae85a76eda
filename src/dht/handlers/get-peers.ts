/**
 * get_peers (BEP 5; BEP 32 families; BEP 33 noseed and scrape): a write
 * token for the asker's address, the closest nodes, and `values` when the
 * policy has peers.
 *
 * BEP 5 makes `values` and `nodes` exclusive; BEP 32 lets both be sent and
 * libtorrent always does, so an asker collecting peers can still walk on to
 * the nodes closest to the info-hash (where it must announce). Peers of the
 * other family are never sent: BEP 32 forbids hybrid lists in answers to
 * plain BEP 5 askers.
 */
import type { ResponseResult } from '../../protocol/krpc/index.ts';
import { familyOf } from '../address.ts';
import type { Endpoint } from '../transport.ts';
import type { Handler, HandlerContext } from './context.ts';
import { nodesFor } from './nodes-for.ts';

export const answerGetPeers: Handler<'get_peers'> = (context, query, from) => {
  const { infoHash, want, noseed, scrape } = query.args;
  return { y: 'r', result: getPeersResult(context, infoHash, want, from, noseed, scrape) };
};

/** Shared with the forward-compatible answer to unknown queries that carry `info_hash`. */
export function getPeersResult(
  context: HandlerContext,
  infoHash: Uint8Array,
  want: readonly string[] | undefined,
  from: Endpoint,
  noseed = false,
  scrape = false,
): ResponseResult {
  const result: ResponseResult = {
    id: context.id,
    token: context.tokens.issue(from.address),
    ...nodesFor(context, infoHash, want, from),
  };
  const values = context.policy
    .peersFor(infoHash, from, { noseed })
    .filter((peer) => familyOf(peer.address) === from.family);
  if (values.length > 0) result.values = values;
  if (scrape) {
    const blooms = context.policy.scrape(infoHash, from);
    if (blooms !== undefined) {
      result.bfsd = blooms.seeds;
      result.bfpe = blooms.peers;
    }
  }
  return result;
}

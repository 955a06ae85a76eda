/** One handler per query method; `answer` picks the right one. */
import type { KrpcQuery } from '../../protocol/krpc/index.ts';
import type { Endpoint } from '../transport.ts';
import { answerAnnouncePeer } from './announce-peer.ts';
import type { HandlerContext, Reply } from './context.ts';
import { answerFindNode } from './find-node.ts';
import { answerGetPeers } from './get-peers.ts';
import { answerPing } from './ping.ts';
import { answerSampleInfohashes } from './sample-infohashes.ts';
import { answerGet, answerPut } from './storage.ts';
import { answerUnknown } from './unknown.ts';

export type { HandlerContext, Reply } from './context.ts';

export function answer(context: HandlerContext, query: KrpcQuery, from: Endpoint): Reply {
  switch (query.method) {
    case 'ping':
      return answerPing(context, query, from);
    case 'find_node':
      return answerFindNode(context, query, from);
    case 'get_peers':
      return answerGetPeers(context, query, from);
    case 'announce_peer':
      return answerAnnouncePeer(context, query, from);
    case 'sample_infohashes':
      return answerSampleInfohashes(context, query, from);
    case 'get':
      return answerGet(context, query, from);
    case 'put':
      return answerPut(context, query, from);
    case 'unknown':
      return answerUnknown(context, query, from);
  }
}

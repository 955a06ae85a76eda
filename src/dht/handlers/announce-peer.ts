/**
 * announce_peer (BEP 5; `seed` from BEP 33). The token must be one we issued
 * to the sender's address within the last two secrets; otherwise error 203,
 * as libtorrent and bittorrent-dht answer. With `implied_port` the peer's
 * port is the UDP source port, for peers behind NAT (BEP 5). A peer at port
 * 0 cannot be connected to, so such an announce is refused too.
 */
import { KRPC_ERROR } from '../../protocol/krpc/index.ts';
import { errorReply, type Handler } from './context.ts';

export const answerAnnouncePeer: Handler<'announce_peer'> = (context, query, from) => {
  const { infoHash, token, impliedPort, seed } = query.args;
  const tokenValid = context.tokens.isValid(from.address, token);
  if (!tokenValid) return errorReply(KRPC_ERROR.protocol, 'bad token', false);
  const port = impliedPort ? from.port : query.args.port;
  if (port === 0) return errorReply(KRPC_ERROR.protocol, 'invalid port', true);
  context.policy.onAnnounce(infoHash, { address: from.address, port }, seed === true);
  return { y: 'r', result: { id: context.id }, tokenValid: true };
};

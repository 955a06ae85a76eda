/** What both transports share. */
import type { TransportStats } from './transport.ts';

/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes). */
export const MAX_DATAGRAM_BYTES = 65_507;

export function newTransportStats(): TransportStats {
  return { sent: 0, sendErrors: 0, received: 0, bytesSent: 0, bytesReceived: 0 };
}

/**
 * How a DHT node sends and receives datagrams. The node takes a transport
 * from its caller (anacrolix/dht takes a PacketConn the same way), so the
 * same engine runs over real UDP (udp-transport.ts) and over an in-memory
 * network for tests and simulations (memory-network.ts); one contract suite
 * runs against both.
 */

export interface Endpoint {
  /** IP address in text form (dotted quad, or RFC 5952 IPv6). */
  address: string;
  port: number;
  family: 4 | 6;
}

/** Where to send: an address and a port. */
export interface Destination {
  address: string;
  port: number;
}

export interface TransportStats {
  /** Datagrams handed over for delivery successfully. */
  sent: number;
  /** Datagrams that could not be sent (bad address, wrong family, too big, socket error). */
  sendErrors: number;
  /** Datagrams received, whether or not a handler was set. */
  received: number;
  bytesSent: number;
  bytesReceived: number;
}

export type DatagramHandler = (data: Uint8Array, from: Endpoint) => void;

export interface Transport {
  /** The address and port we are bound to (port 0 resolved to the real one). */
  readonly local: Endpoint;
  /**
   * Fire and forget. Never throws for a send error; counts it in `stats`.
   * The transport may read `data` until the send completes: do not reuse it.
   */
  send(data: Uint8Array, to: Destination): void;
  /**
   * Sets the one handler that gets every received datagram. `data` is a view
   * the handler may keep only during the call: copy what must outlive it.
   */
  onDatagram(handler: DatagramHandler): void;
  readonly stats: Readonly<TransportStats>;
  /** Stops receiving and releases the port. Idempotent. */
  close(): Promise<void>;
}

export { memoryNetwork } from './memory-network.ts';
export { MAX_DATAGRAM_BYTES, newTransportStats } from './transport-support.ts';
export { udpTransport } from './udp-transport.ts';

/** The real transport: one UDP socket from node:dgram. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { ipv4Number } from '../protocol/net/ip.ts';
import { familyOf } from './address.ts';
import { DhtTransportError } from './errors.ts';
import type { DatagramHandler, Destination, Endpoint, Transport } from './transport.ts';
import { MAX_DATAGRAM_BYTES, newTransportStats } from './transport-support.ts';

export interface UdpTransportOptions {
  /** Local address to bind: an IPv4 address makes an IPv4 socket, an IPv6 one an IPv6 socket. */
  address: string;
  /** Local port; 0 lets the system pick a free one. */
  port: number;
  /** SO_RCVBUF in bytes; default: the system's. A busy sensor wants several MB. */
  receiveBufferSize?: number;
  /** SO_SNDBUF in bytes; default: the system's. */
  sendBufferSize?: number;
}

/**
 * Binds a UDP socket. Never shares the port (no SO_REUSEADDR): two sensors on
 * one port would each see half the traffic. IPv6 sockets are IPv6-only, so
 * an identity is on exactly one DHT (BEP 32 runs the two side by side).
 * Rejects with a DhtTransportError that names the address, port and reason
 * when the socket cannot be bound.
 */
export async function udpTransport(options: UdpTransportOptions): Promise<Transport> {
  const family = familyOf(options.address);
  const resolver = new LiteralLookup();
  const socket = createSocket({
    type: family === 6 ? 'udp6' : 'udp4',
    reuseAddr: false,
    ipv6Only: family === 6,
    lookup: resolver.lookup as NonNullable<SocketOptions['lookup']>,
  });
  await bind(socket, options);
  resolver.immediate = true;
  if (options.receiveBufferSize !== undefined) socket.setRecvBufferSize(options.receiveBufferSize);
  if (options.sendBufferSize !== undefined) socket.setSendBufferSize(options.sendBufferSize);
  return new UdpTransport(socket, family);
}

/** Sends held for one batch at most; beyond that they leave at once, so the queue stays small. */
const MAX_QUEUED_SENDS = 256;

type SocketOptions = Parameters<typeof createSocket>[0] & object;
type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string,
  family: number,
) => void;

/**
 * node:dgram passes the destination of every send through `lookup`, and its
 * default answers even an IP literal on the next tick: a closure, a tick and
 * an async-context scope per answer sent. Once bound, IP literals (all the
 * engine ever sends to) resolve at once; before that, and for host names,
 * this behaves as node's default, so bind's events keep their timing.
 */
class LiteralLookup {
  immediate = false;

  readonly lookup = (address: string, family: number, callback: LookupCallback): void => {
    // A dotted quad checked by hand first: `isIP`'s regular expression ran once per answer.
    if ((family === 4 && ipv4Number(address) >= 0) || isIP(address) === family) {
      if (this.immediate) callback(null, address, family);
      else process.nextTick(callback, null, address, family);
      return;
    }
    dnsLookup(address, family, callback);
  };
}

function bind(socket: Socket, options: UdpTransportOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      socket.close();
      const where = `${options.address} port ${options.port}`;
      const why =
        error.code === 'EADDRINUSE'
          ? 'the port is already in use'
          : error.code === 'EADDRNOTAVAIL'
            ? 'the address is not one of this host'
            : error.code === 'EACCES'
              ? 'permission denied'
              : error.message;
      reject(
        new DhtTransportError(`cannot bind UDP ${where}: ${why}`, error.code, { cause: error }),
      );
    };
    socket.once('error', onError);
    try {
      socket.bind({ address: options.address, port: options.port, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    } catch (error) {
      // Synchronous argument errors (a port out of range, say).
      socket.off('error', onError);
      reject(new DhtTransportError(`cannot bind UDP: ${(error as Error).message}`, undefined));
    }
  });
}

class UdpTransport implements Transport {
  readonly local: Endpoint;
  readonly stats = newTransportStats();
  readonly #socket: Socket;
  #handler: DatagramHandler | undefined;
  #closed: Promise<void> | undefined;

  constructor(socket: Socket, family: 4 | 6) {
    this.#socket = socket;
    const bound = socket.address();
    this.local = { address: bound.address, port: bound.port, family };
    // An IPv4 socket hears only IPv4 and an IPv6 one is IPv6-only: the family is the socket's.
    socket.on('message', (message: Buffer, remote: RemoteInfo) => {
      this.stats.received++;
      this.stats.bytesReceived += message.length;
      this.#handler?.(message, { address: remote.address, port: remote.port, family });
    });
    // Without a send callback an asynchronous send failure arrives here; a
    // datagram socket has no other errors after bind worth dying for.
    socket.on('error', () => {
      this.stats.sendErrors++;
    });
  }

  send(data: Uint8Array, to: Destination): void {
    if (this.#closed !== undefined || data.length > MAX_DATAGRAM_BYTES) {
      this.stats.sendErrors++;
      return;
    }
    const queue = this.#queue;
    // The destination is read now: a caller may reuse its object once send returns.
    queue.push(data, to.port, to.address);
    if (queue.length >= MAX_QUEUED_SENDS * 3) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#scheduledFlush);
    }
  }

  /*
   * Sends wait for the end of the event loop's poll phase and leave together.
   * A node answers from inside the handler of each datagram; sending right
   * there interleaved a system call, and its send callback's trip through
   * the tick queue, with the handling of every datagram, and measured ~20 %
   * more CPU per answered query under a flood than answering a whole batch of
   * received datagrams at once. Order is kept, and so is every datagram.
   */
  /** Datagram, port, address; datagram, port, address; … */
  readonly #queue: (Uint8Array | number | string)[] = [];
  #flushScheduled = false;

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  #flush(): void {
    const queue = this.#queue;
    for (let i = 0; i < queue.length; i += 3) {
      const data = queue[i] as Uint8Array;
      const port = queue[i + 1] as number;
      const address = queue[i + 2] as string;
      try {
        this.#socket.send(data, port, address, this.#afterSend);
      } catch {
        // Thrown synchronously for a bad port or a closed socket.
        this.stats.sendErrors++;
      }
    }
    queue.length = 0;
  }

  /** One callback shared by every send, so sending allocates no closure. */
  readonly #afterSend = (error: Error | null, bytes: number): void => {
    if (error) {
      this.stats.sendErrors++;
    } else {
      this.stats.sent++;
      this.stats.bytesSent += bytes;
    }
  };

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  close(): Promise<void> {
    if (this.#closed === undefined) this.#flush();
    this.#closed ??= new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
    return this.#closed;
  }
}

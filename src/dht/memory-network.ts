/**
 * An in-memory datagram network: transports that deliver to each other
 * without sockets, for tests and simulations of many nodes in one process.
 * It behaves like UDP where the engine can tell: delivery is asynchronous,
 * datagrams to nobody vanish, datagrams may be lost (`lossRate`), the
 * receiver sees the sender's bound address and port, and bytes are copied
 * on send so neither side shares a buffer with the other.
 */
import { canonicalAddress, endpointKey, familyOf } from './address.ts';
import { DhtTransportError } from './errors.ts';
import type { DatagramHandler, Destination, Endpoint, Transport } from './transport.ts';
import { MAX_DATAGRAM_BYTES, newTransportStats } from './transport-support.ts';

export interface MemoryNetworkOptions {
  /** Probability (0..1) that a datagram is lost in transit. Default 0. */
  lossRate?: number;
  /** Source of the loss draws, in [0, 1). Default Math.random. */
  random?: () => number;
}

/** One datagram as the network carried it. */
export interface MemoryDatagram {
  from: Endpoint;
  to: Destination;
  data: Uint8Array;
  /** Whether it reached a transport (false: lost, or nobody bound there). */
  delivered: boolean;
}

export interface MemoryNetworkStats {
  /** Datagrams put on the network. */
  carried: number;
  /** Lost on purpose (`lossRate`). */
  lost: number;
  /** Sent to an address and port nobody is bound to. */
  unreachable: number;
}

export interface MemoryNetwork {
  /** Binds a transport at `address`:`port` (port 0: a free one). Throws if it is taken. */
  transport(address: string, port: number): Transport;
  /** Sees every datagram sent on the network, delivered or not, at send time. */
  observe(listener: (datagram: MemoryDatagram) => void): void;
  /** Resolves once every datagram in flight (and any they caused) has been delivered. */
  settle(): Promise<void>;
  readonly stats: Readonly<MemoryNetworkStats>;
}

interface InFlight {
  readonly from: Endpoint;
  readonly to: Destination;
  readonly data: Uint8Array;
}

/** Receivers are found by the canonical form of the address, as the kernel compares bytes. */
function keyOf(to: Destination): string {
  return endpointKey(canonicalAddress(to.address) ?? to.address, to.port);
}

/** First port handed out for port 0, as an operating system's ephemeral range starts. */
const FIRST_EPHEMERAL_PORT = 49_152;

export function memoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const lossRate = options.lossRate ?? 0;
  if (!(lossRate >= 0 && lossRate <= 1))
    throw new RangeError(`lossRate must be in 0..1, got ${lossRate}`);
  const random = options.random ?? Math.random;
  const bound = new Map<string, MemoryTransport>();
  const observers: ((datagram: MemoryDatagram) => void)[] = [];
  const stats: MemoryNetworkStats = { carried: 0, lost: 0, unreachable: 0 };
  let queue: InFlight[] = [];
  let scheduled = false;
  let nextEphemeral = FIRST_EPHEMERAL_PORT;
  let idle: (() => void)[] = [];

  const deliverAll = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    // A handler that throws has a bug; the other datagrams are delivered
    // anyway and the first error is rethrown after, where it cannot be missed.
    let failed = false;
    let failure: unknown;
    for (const datagram of batch) {
      try {
        bound.get(keyOf(datagram.to))?.deliver(datagram);
      } catch (error) {
        if (!failed) [failed, failure] = [true, error];
      }
    }
    if (queue.length === 0) {
      const waiting = idle;
      idle = [];
      for (const resolve of waiting) resolve();
    }
    if (failed) throw failure;
  };

  const carry = (from: Endpoint, to: Destination, data: Uint8Array): void => {
    stats.carried++;
    const receiver = bound.get(keyOf(to));
    let delivered = receiver !== undefined;
    if (!delivered) stats.unreachable++;
    else if (lossRate > 0 && random() < lossRate) {
      stats.lost++;
      delivered = false;
    }
    const copy = new Uint8Array(data); // a copy, even of a Buffer (whose slice is a view)
    for (const observe of observers) observe({ from, to, data: copy, delivered });
    if (!delivered) return;
    queue.push({ from, to, data: copy });
    if (!scheduled) {
      scheduled = true;
      setImmediate(deliverAll);
    }
  };

  const freePort = (address: string): number => {
    for (let tries = 0; tries < 65_536; tries++) {
      const port = nextEphemeral;
      nextEphemeral = nextEphemeral >= 65_535 ? FIRST_EPHEMERAL_PORT : nextEphemeral + 1;
      if (!bound.has(keyOf({ address, port }))) return port;
    }
    throw new DhtTransportError(`no free port on ${address}`, 'EADDRINUSE');
  };

  return {
    transport(requested, port) {
      const address = canonicalAddress(requested) ?? requested;
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new DhtTransportError(`port ${port} is not in 0..65535`);
      const actual = port === 0 ? freePort(address) : port;
      const key = keyOf({ address, port: actual });
      if (bound.has(key)) {
        throw new DhtTransportError(
          `cannot bind ${address} port ${actual}: the port is already in use`,
          'EADDRINUSE',
        );
      }
      const local: Endpoint = { address, port: actual, family: familyOf(address) };
      const transport = new MemoryTransport(local, carry, () => bound.delete(key));
      bound.set(key, transport);
      return transport;
    },
    observe(listener) {
      observers.push(listener);
    },
    settle() {
      if (queue.length === 0 && !scheduled) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
    stats,
  };
}

class MemoryTransport implements Transport {
  readonly local: Endpoint;
  readonly stats = newTransportStats();
  readonly #carry: (from: Endpoint, to: Destination, data: Uint8Array) => void;
  readonly #unbind: () => void;
  #handler: DatagramHandler | undefined;
  #closed = false;

  constructor(
    local: Endpoint,
    carry: (from: Endpoint, to: Destination, data: Uint8Array) => void,
    unbind: () => void,
  ) {
    this.local = local;
    this.#carry = carry;
    this.#unbind = unbind;
  }

  send(data: Uint8Array, to: Destination): void {
    const valid =
      !this.#closed &&
      data.length <= MAX_DATAGRAM_BYTES &&
      Number.isInteger(to.port) &&
      to.port > 0 &&
      to.port <= 65_535 &&
      familyOf(to.address) === this.local.family;
    if (!valid) {
      this.stats.sendErrors++;
      return;
    }
    this.stats.sent++;
    this.stats.bytesSent += data.length;
    this.#carry(this.local, to, data);
  }

  deliver(datagram: InFlight): void {
    if (this.#closed) return;
    this.stats.received++;
    this.stats.bytesReceived += datagram.data.length;
    this.#handler?.(datagram.data, datagram.from);
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler;
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#unbind();
    }
    return Promise.resolve();
  }
}

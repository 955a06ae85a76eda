/**
 * Per-host counts by address id, in typed columns. A UDP datagram or an
 * ended connection adds to its host's counts: an increment in an array of
 * numbers, where an object per host cost a cache miss per packet (tens of
 * thousands of hosts, scattered over the heap). The objects are made once,
 * for the summary (`stats`).
 */
import type { AddressTable } from './addresses.ts';
import { extend } from './columns.ts';

/** One host's counts, as the summary reads them. */
export class HostStats {
  readonly id: number;
  readonly address: string;
  /** TCP connections this host opened. */
  connections = 0;
  failed = 0;
  /** Failed attempts covered by a prediction (complete once the analyzer has finished). */
  predictedFailed = 0;
  udpDatagrams = 0;
  /** Bits of UDP_KINDS seen from this host. */
  btUdpKinds = 0;

  constructor(id: number, address: string) {
    this.id = id;
    this.address = address;
  }
}

export class HostTally {
  /** Ids of the hosts, in the order first counted. */
  private order = new Int32Array(1024);
  private hosts = 0;
  /** 1 for an id counted as a host. */
  private seen = new Uint8Array(1024);
  connections = new Int32Array(1024);
  failed = new Int32Array(1024);
  predictedFailed = new Int32Array(1024);
  udpDatagrams = new Int32Array(1024);
  btUdpKinds = new Uint8Array(1024);

  /** Makes `id` a host (the columns then reach it). */
  add(id: number): void {
    if (id >= this.seen.length) this.grow(id);
    if (this.seen[id] === 1) return;
    this.seen[id] = 1;
    if (this.hosts === this.order.length) {
      this.order = extend(this.order, new Int32Array(this.hosts * 2));
    }
    this.order[this.hosts++] = id;
  }

  /** The hosts' ids, in the order first counted. */
  ids(): Int32Array {
    return this.order.subarray(0, this.hosts);
  }

  /** Every host's counts as an object, in the order first counted. */
  stats(addresses: AddressTable): Map<number, HostStats> {
    const map = new Map<number, HostStats>();
    for (let k = 0; k < this.hosts; k++) {
      const id = this.order[k]!;
      const s = new HostStats(id, addresses.text(id));
      s.connections = this.connections[id]!;
      s.failed = this.failed[id]!;
      s.predictedFailed = this.predictedFailed[id]!;
      s.udpDatagrams = this.udpDatagrams[id]!;
      s.btUdpKinds = this.btUdpKinds[id]!;
      map.set(id, s);
    }
    return map;
  }

  private grow(id: number): void {
    let capacity = this.seen.length * 2;
    while (capacity <= id) capacity *= 2;
    this.seen = extend(this.seen, new Uint8Array(capacity));
    this.connections = extend(this.connections, new Int32Array(capacity));
    this.failed = extend(this.failed, new Int32Array(capacity));
    this.predictedFailed = extend(this.predictedFailed, new Int32Array(capacity));
    this.udpDatagrams = extend(this.udpDatagrams, new Int32Array(capacity));
    this.btUdpKinds = extend(this.btUdpKinds, new Uint8Array(capacity));
  }
}

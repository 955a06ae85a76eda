/**
 * Per-host counts by address id, in typed columns. A UDP datagram or an
 * ended connection adds to its host's counts: an increment in an array of
 * numbers, where an object per host cost a cache miss per packet (tens of
 * thousands of hosts, scattered over the heap). The summary reads the
 * columns by id, host by host in `ids()` order.
 */
import { extend } from './columns.ts';

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

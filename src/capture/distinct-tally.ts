/**
 * Distinct destinations, ports and (destination, port) pairs among a changing
 * set of failed attempts — the counts the scan detector compares with its
 * thresholds. Counts live in flat typed arrays indexed by address id and port
 * (address ids are dense), so adding or removing an attempt costs a few array
 * writes, where Maps of Maps cost a hash lookup and often an allocation each.
 * One tally serves source after source: `clear` undoes only what was touched.
 */
import { writtenThrough } from './columns.ts';
import { hashTriple } from './int-hash.ts';

const PORTS = 65536;

export class DistinctTally {
  /** Distinct destinations and ports with at least one attempt in the tally. */
  hosts = 0;
  ports = 0;
  /**
   * Distinct ports tried on each destination, distinct destinations tried on
   * each port: a destination (a port) is in the tally exactly while its count
   * is above 0, so these also give `hosts` and `ports`.
   */
  private readonly portsOfHost: Int32Array;
  private readonly hostsOfPort = new Int32Array(PORTS);
  /**
   * Attempts per (destination, port): open addressing over (destination + 1,
   * port, count) triples. A pair stays in the table at count 0 until `clear`,
   * so nothing is ever deleted from a probe chain.
   */
  private pairs = new Int32Array(3 * 1024);
  private pairMask = 1023;
  private pairCount = 0;
  /** Slots in use, so `clear` resets only those. */
  private used: number[] = [];
  private readonly touchedHosts: number[] = [];
  private readonly touchedPorts: number[] = [];

  /** `hostIds`: one more than the largest destination id that will be added. */
  constructor(hostIds: number) {
    this.portsOfHost = new Int32Array(hostIds);
  }

  /** A tally with room for the first `length` of these destination ids. */
  static forDestinations(ids: Int32Array, length: number): DistinctTally {
    let largest = 0;
    for (let k = 0; k < length; k++) if (ids[k]! > largest) largest = ids[k]!;
    return new DistinctTally(largest + 1);
  }

  /**
   * Counts one attempt in (`by` 1) or out (`by` -1). Returns nothing: read
   * `hosts`, `ports`, `hostsOnPort` and `portsOnHost` after.
   */
  change(host: number, port: number, by: 1 | -1): void {
    const slot = this.pairSlot(host, port);
    const pairs = this.pairs;
    const pairBefore = pairs[slot + 2]!;
    pairs[slot + 2] = pairBefore + by;
    if (pairBefore === 0 && by > 0) {
      if (this.portsOfHost[host]!++ === 0) {
        this.hosts++;
        this.touchedHosts.push(host);
      }
      if (this.hostsOfPort[port]!++ === 0) {
        this.ports++;
        this.touchedPorts.push(port);
      }
    } else if (pairBefore === 1 && by < 0) {
      if (--this.portsOfHost[host]! === 0) this.hosts--;
      if (--this.hostsOfPort[port]! === 0) this.ports--;
    }
  }

  /** Distinct destinations tried on `port`. */
  hostsOnPort(port: number): number {
    return this.hostsOfPort[port]!;
  }

  /** Distinct ports tried on `host`. */
  portsOnHost(host: number): number {
    return this.portsOfHost[host]!;
  }

  /** Empties the tally (in time proportional to what it held). */
  clear(): void {
    for (const host of this.touchedHosts) this.portsOfHost[host] = 0;
    for (const port of this.touchedPorts) this.hostsOfPort[port] = 0;
    this.touchedHosts.length = 0;
    this.touchedPorts.length = 0;
    const pairs = this.pairs;
    for (const slot of this.used) pairs[slot] = 0;
    this.used.length = 0;
    this.pairCount = 0;
    this.hosts = 0;
    this.ports = 0;
  }

  /** The slot of (host, port), made with count 0 if absent. */
  private pairSlot(host: number, port: number): number {
    const key = host + 1;
    const mask = this.pairMask;
    const pairs = this.pairs;
    let i = hashTriple(key, port, 0) & mask;
    for (;;) {
      const at = i * 3;
      const k = pairs[at]!;
      if (k === key && pairs[at + 1] === port) return at;
      if (k === 0) {
        if ((this.pairCount + 1) * 2 > mask) {
          this.growPairs();
          return this.pairSlot(host, port);
        }
        pairs[at] = key;
        pairs[at + 1] = port;
        pairs[at + 2] = 0;
        this.pairCount++;
        this.used.push(at);
        return at;
      }
      i = (i + 1) & mask;
    }
  }

  private growPairs(): void {
    const old = this.pairs;
    const oldUsed = this.used;
    this.pairMask = this.pairMask * 2 + 1;
    this.pairs = writtenThrough(new Int32Array(3 * (this.pairMask + 1)));
    this.used = [];
    for (const at of oldUsed) {
      let i = hashTriple(old[at]!, old[at + 1]!, 0) & this.pairMask;
      while (this.pairs[i * 3] !== 0) i = (i + 1) & this.pairMask;
      const to = i * 3;
      this.pairs[to] = old[at]!;
      this.pairs[to + 1] = old[at + 1]!;
      this.pairs[to + 2] = old[at + 2]!;
      this.used.push(to);
    }
  }
}

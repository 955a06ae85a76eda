/**
 * The sensor's identities: N ports × M node ids. Ids are spread evenly over
 * the keyspace (identity i of n owns slice i of n and sits in its middle),
 * so together they are close to every region and end up in routing tables
 * everywhere; each rotation draws a fresh id inside the same slice, which
 * earns fresh routing-table entries while keeping the coverage.
 *
 * With `bep42`, ids must be valid for the sensor's external address: BEP 42
 * allows only 8 prefixes (21 bits) per IPv4 address, so coverage collapses
 * to at most 8 regions, however many identities run. Many clients prefer
 * verified ids when choosing whom to store and whom to return, which is the
 * trade-off docs/sensor.md spells out.
 */
import { allowedPrefixes, bep42Prefix } from '../protocol/security/bep42.ts';

/** The ports of the source documents: common BitTorrent and client-default ports. */
export const SOURCE_PORTS: readonly number[] = [
  6881, 6882, 6883, 6969, 6889, 51413, 51414, 16881, 26881, 49160, 49161, 45682, 7881,
];

export const IDENTITY_DEFAULTS = {
  /** Sized for a small VPS: the first 8 source ports. The sources run all 13. */
  ports: SOURCE_PORTS.slice(0, 8),
  /**
   * Ids per port (the sources: 16). One by default: a datagram does not say
   * which of a port's ids it is for, and clients that check the answering id
   * (bittorrent-dht drops the contact) lose us when another id answers.
   */
  idsPerPort: 1,
  /** Rotation period and jitter (the sources: 12 h ± 30 min). */
  rotationMs: 12 * 3_600_000,
  rotationJitterMs: 30 * 60_000,
} as const;

export interface IdentityPlan {
  /** Local UDP port. */
  port: number;
  /** Index among all identities (0 … n-1): which keyspace slice it owns. */
  index: number;
  /** Index among the identities of its port. */
  slot: number;
}

/** Every (port, slot) pair, numbered so consecutive identities of a port are far apart in the keyspace. */
export function planIdentities(ports: readonly number[], idsPerPort: number): IdentityPlan[] {
  const plans: IdentityPlan[] = [];
  const n = ports.length * idsPerPort;
  for (let slot = 0; slot < idsPerPort; slot++) {
    for (let p = 0; p < ports.length; p++) {
      // Interleave: port p slot s owns slice s * ports + p, so each port covers the whole keyspace sparsely.
      plans.push({ port: ports[p]!, index: slot * ports.length + p, slot });
    }
  }
  if (new Set(plans.map((plan) => plan.index)).size !== n)
    throw new Error('identity slices overlap');
  return plans.sort((a, b) => a.index - b.index);
}

/**
 * A node id in slice `index` of `count`: the first 32 bits point into the
 * slice's middle half, the rest is random.
 */
export function sliceId(
  index: number,
  count: number,
  random: (n: number) => Uint8Array,
): Uint8Array {
  if (!(Number.isInteger(index) && Number.isInteger(count) && index >= 0 && index < count)) {
    throw new RangeError(`slice ${index} of ${count} does not exist`);
  }
  const sliceSize = 2 ** 32 / count;
  const jitter = (new DataView(random(4).buffer).getUint32(0) / 2 ** 32) * 0.5 + 0.25;
  const prefix = Math.floor((index + jitter) * sliceSize) >>> 0;
  const id = random(20);
  new DataView(id.buffer, id.byteOffset, 20).setUint32(0, prefix);
  return id;
}

/**
 * A BEP 42-valid id for `ip` whose prefix is the allowed one closest to the
 * middle of slice `index` of `count`.
 */
export function bep42SliceId(
  ip: Uint8Array,
  index: number,
  count: number,
  random: (n: number) => Uint8Array,
): Uint8Array {
  const target = ((index + 0.5) / count) * 2 ** 21;
  const prefixes = allowedPrefixes(ip);
  let best = 0;
  for (let r = 1; r < prefixes.length; r++) {
    if (Math.abs(prefixes[r]! - target) < Math.abs(prefixes[best]! - target)) best = r;
  }
  const crc = bep42Prefix(ip, best);
  const id = random(20);
  id[0] = (crc >>> 24) & 0xff;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2]! & 0x07);
  id[19] = (id[19]! & 0xf8) | best;
  return id;
}

/** When the next rotation is due: `period` ± `jitter`, uniformly. */
export function nextRotationDelay(
  periodMs: number,
  jitterMs: number,
  random: (n: number) => Uint8Array,
): number {
  const u = new DataView(random(4).buffer).getUint32(0) / 2 ** 32;
  return Math.round(periodMs + (u * 2 - 1) * jitterMs);
}

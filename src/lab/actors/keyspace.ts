/**
 * The 160-bit keyspace as big integers: range bounds from scenario files,
 * and evenly spaced sweep targets. Sweeps are what crawlers and campaigns
 * share, so their targets have the same shape: one target per equal slice of
 * the range, at a random point inside its slice, which makes them distinct
 * and strictly monotone without looking like a fixed stride.
 */
import type { Rng } from '../rng.ts';

const BITS = 160n;
export const KEYSPACE = 1n << BITS;

/** A hex prefix (zero-filled to 160 bits) or a fraction of the keyspace. */
export function boundValue(bound: string | number): bigint {
  if (typeof bound === 'number') {
    // 2^32 steps are plenty for a bound; the sweep adds the fine bits.
    return (BigInt(Math.round(bound * 2 ** 32)) * KEYSPACE) >> 32n;
  }
  return BigInt(`0x${bound.padEnd(40, '0')}`);
}

export function toId(value: bigint): Uint8Array {
  const out = new Uint8Array(20);
  let rest = value;
  for (let i = 19; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

export function fromId(id: Uint8Array): bigint {
  let value = 0n;
  for (const byte of id) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * `count` targets over [lo, hi): target i lies in slice i, at a random
 * offset, so the targets ascend strictly (or descend, read from the end).
 */
export function* sweepTargets(
  rng: Rng,
  lo: bigint,
  hi: bigint,
  count: number,
  descending: boolean,
): Generator<Uint8Array> {
  const step = (hi - lo) / BigInt(count);
  if (step < 1n)
    throw new RangeError(`a range of ${hi - lo} ids cannot hold ${count} distinct targets`);
  for (let i = 0; i < count; i++) {
    const slice = BigInt(descending ? count - 1 - i : i);
    yield toId(lo + slice * step + (fromId(rng.bytes(20)) % step));
  }
}

/** Why [from, to) cannot hold `count` distinct sweep targets, or undefined when it can. */
export function rangeProblem(
  from: string | number,
  to: string | number,
  count: number,
): string | undefined {
  const width = boundValue(to) - boundValue(from);
  if (width <= 0n) return '`from` must lie below `to`';
  return width < BigInt(count)
    ? `the range is too narrow for ${count} distinct targets`
    : undefined;
}

/**
 * A deterministic byte source: xorshift32 from a seed. Not for secrets — for
 * reproducible demos, labs and tests, where the same seed must give the same
 * network. Real randomness (transaction ids, tokens) comes from node:crypto
 * in the layers that may touch the platform.
 */
import type { RandomBytes } from './kademlia/node-id.ts';

export function seededRandomBytes(seed: number): RandomBytes {
  let state = seed >>> 0 || 0x9e3779b9;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}

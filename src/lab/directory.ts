/**
 * Every node of a lab (its own DHT nodes and the sensor's identities) sorted
 * by id, and the k closest to a target by XOR distance: where the last step
 * of an iterative lookup lands. Actors send there, which is what makes the
 * sensor see a query only when its target falls near one of its identities,
 * as on the real DHT.
 *
 * The closest set is found by walking the sorted ids like a binary trie
 * (O(k log n)) on the first 32 bits of each id; two ids that share 32 bits
 * are a 1-in-4-billion event in a lab of hundreds.
 */

export interface DirectoryNode {
  id: Uint8Array;
  address: string;
  port: number;
  /** One of the sensor's identities (its events are what the store sees). */
  sensor: boolean;
}

export class Directory {
  readonly nodes: readonly DirectoryNode[];
  readonly #prefixes: Uint32Array;

  constructor(nodes: readonly DirectoryNode[]) {
    const sorted = [...nodes].sort((a, b) => prefix32(a.id) - prefix32(b.id));
    this.nodes = sorted;
    this.#prefixes = Uint32Array.from(sorted, (n) => prefix32(n.id));
  }

  /** The `k` nodes closest to `target`, nearest first. */
  closest(target: Uint8Array, k: number): DirectoryNode[] {
    const t = prefix32(target);
    const picked: number[] = [];
    this.#collect(t, 0, this.#prefixes.length, 31, k, picked);
    return picked
      .sort((a, b) => ((this.#prefixes[a]! ^ t) >>> 0) - ((this.#prefixes[b]! ^ t) >>> 0))
      .map((i) => this.nodes[i]!);
  }

  /** Adds to `out` the `k` indexes in [lo, hi) closest to `t`, all sharing bits above `bit`. */
  #collect(t: number, lo: number, hi: number, bit: number, k: number, out: number[]): void {
    if (k <= 0 || lo >= hi) return;
    if (hi - lo <= k || bit < 0) {
      for (let i = lo; i < hi && k > 0; i++, k--) out.push(i);
      return;
    }
    // First index in [lo, hi) whose `bit` is set: the ids are sorted, so it splits the range.
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if ((this.#prefixes[mid]! >>> bit) & 1) b = mid;
      else a = mid + 1;
    }
    const [nearLo, nearHi, farLo, farHi] = (t >>> bit) & 1 ? [a, hi, lo, a] : [lo, a, a, hi];
    const near = nearHi - nearLo;
    if (near >= k) {
      this.#collect(t, nearLo, nearHi, bit - 1, k, out);
      return;
    }
    // Every id on the target's side is closer than any on the other side.
    for (let i = nearLo; i < nearHi; i++) out.push(i);
    this.#collect(t, farLo, farHi, bit - 1, k - near, out);
  }
}

export function prefix32(id: Uint8Array): number {
  return ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) >>> 0;
}

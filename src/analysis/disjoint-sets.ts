/**
 * Disjoint sets over 0 … n−1 (union-find with path halving): how the
 * detectors join linked things into groups — sweeps into a campaign,
 * linked addresses into a cluster, cluster members into one campaign.
 */
export class DisjointSets {
  readonly #parent: number[];

  constructor(size: number) {
    this.#parent = Array.from({ length: size }, (_, i) => i);
  }

  /** The representative of i's set. */
  find(i: number): number {
    const parent = this.#parent;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  }

  union(a: number, b: number): void {
    this.#parent[this.find(a)] = this.find(b);
  }
}

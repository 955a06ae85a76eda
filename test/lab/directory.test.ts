import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Directory, type DirectoryNode, prefix32 } from '../../src/lab/directory.ts';
import { Rng } from '../../src/lab/rng.ts';

function nodes(n: number, rng: Rng): DirectoryNode[] {
  return Array.from({ length: n }, (_, i) => ({
    id: rng.bytes(20),
    address: `127.2.0.${i}`,
    port: 6881,
    sensor: i % 10 === 0,
  }));
}

/** The k closest by brute force over the first 32 bits. */
function bruteForce(all: DirectoryNode[], target: Uint8Array, k: number): string[] {
  const t = prefix32(target);
  return [...all]
    .sort((a, b) => ((prefix32(a.id) ^ t) >>> 0) - ((prefix32(b.id) ^ t) >>> 0))
    .slice(0, k)
    .map((n) => n.address);
}

describe('Directory.closest', () => {
  it('agrees with a brute-force XOR sort for many targets and sizes', () => {
    const rng = new Rng(7);
    for (const size of [1, 5, 8, 9, 50, 300]) {
      const all = nodes(size, rng);
      const directory = new Directory(all);
      for (let trial = 0; trial < 200; trial++) {
        const target = rng.bytes(20);
        for (const k of [1, 3, 8]) {
          assert.deepEqual(
            directory.closest(target, k).map((n) => n.address),
            bruteForce(all, target, k),
            `size ${size}, k ${k}`,
          );
        }
      }
    }
  });

  it('returns the node itself first when the target is its id', () => {
    const all = nodes(100, new Rng(3));
    const directory = new Directory(all);
    for (const node of all) assert.equal(directory.closest(node.id, 8)[0]!.address, node.address);
  });
});

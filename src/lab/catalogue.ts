/**
 * The content of a lab: a fixed list of infohashes every normal client draws
 * from with a Zipf mix (a few popular torrents, a long tail of rare ones).
 * Behaviors that need content of their own (a swarm's torrent, a monitor's
 * watch list) draw fresh hashes from their own random stream instead.
 */
import { Rng, ZipfSampler } from './rng.ts';

export class Catalogue {
  readonly #hashes: Uint8Array[];
  readonly #zipf: ZipfSampler;

  constructor(seed: number, size: number, zipfExponent: number) {
    const rng = Rng.derive(seed, 'catalogue');
    this.#hashes = Array.from({ length: size }, () => rng.bytes(20));
    this.#zipf = new ZipfSampler(size, zipfExponent);
  }

  get size(): number {
    return this.#hashes.length;
  }

  /** The hash of popularity rank `rank` (0 = most popular). */
  at(rank: number): Uint8Array {
    return this.#hashes[rank]!;
  }

  /** A hash drawn with the catalogue's popularity mix. */
  popular(rng: Rng): Uint8Array {
    return this.#hashes[this.#zipf.sample(rng)]!;
  }

  /** A hash drawn uniformly (rare content as often as popular). */
  uniform(rng: Rng): Uint8Array {
    return this.#hashes[rng.int(this.#hashes.length)]!;
  }
}

/**
 * BEP 5 write tokens: the token handed out with a get_peers answer is a hash
 * of the asker's IP address and a secret, so an announce_peer can only come
 * from an address that asked us recently, and we keep no per-asker state.
 *
 * "The secret changes every five minutes and tokens up to ten minutes old
 * are accepted" (BEP 5): the current and the previous secret are accepted.
 * Rotation is computed from the clock when a token is issued or checked, so
 * it needs no timer and behaves the same under a manual or scaled clock.
 */
import { hash } from 'node:crypto';
import { parseIp } from '../protocol/net/ip.ts';
import type { Clock } from './clock.ts';
import { definedOnly } from './defined.ts';

export interface TokenOptions {
  /** How often the secret changes. Default 5 minutes (BEP 5). */
  rotationMs: number;
  /**
   * Bytes of the SHA-1 kept as the token. Default 8: as Transmission's DHT;
   * libtorrent sends 4, bittorrent-dht 20. Guessing 64 bits blindly is out of
   * reach, and a short token keeps every get_peers answer small.
   */
  length: number;
}

export const TOKEN_DEFAULTS: TokenOptions = { rotationMs: 5 * 60_000, length: 8 };

/** Bytes of a secret; as long as the hash, more would add nothing. */
const SECRET_BYTES = 20;

/**
 * Tokens by address, one cache per secret: a busy node answers the same
 * askers again and again, and a SHA-1 per answer was the largest cost of
 * answering get_peers. Checking an announce also needs the token under the
 * previous secret, a SHA-1 per announce with a stale or forged token (5 µs,
 * the most common kind a sensor sees) until that one was cached as well. A
 * cache never outlives its secret; when full it is cleared, not evicted.
 */
const TOKEN_CACHE_LIMIT = 16_384;

export class TokenIssuer {
  readonly #clock: Clock;
  readonly #randomBytes: (n: number) => Uint8Array;
  readonly #options: TokenOptions;
  #current: Uint8Array;
  #previous: Uint8Array;
  #rotatedAt: number;
  #currentTokens = new Map<string, Uint8Array>();
  #previousTokens = new Map<string, Uint8Array>();
  /** Secret then address bytes, the input of one token's SHA-1. */
  readonly #input = new Uint8Array(SECRET_BYTES + 16);

  constructor(
    clock: Clock,
    randomBytes: (n: number) => Uint8Array,
    options: Partial<TokenOptions> = {},
  ) {
    this.#clock = clock;
    this.#randomBytes = randomBytes;
    this.#options = { ...TOKEN_DEFAULTS, ...definedOnly(options) };
    const { rotationMs, length } = this.#options;
    if (!(rotationMs > 0)) throw new RangeError(`tokenRotationMs must be > 0, got ${rotationMs}`);
    if (!Number.isInteger(length) || length < 1 || length > 20)
      throw new RangeError(`token length must be 1..20 bytes, got ${length}`);
    this.#current = this.#secret();
    // No earlier secret exists; a fresh random one accepts nothing real.
    this.#previous = this.#secret();
    this.#rotatedAt = clock.now();
  }

  /** The token for `address` under the current secret. */
  issue(address: string): Uint8Array {
    this.#rotate();
    return this.#cached(this.#currentTokens, this.#current, address);
  }

  /** Whether `token` was issued to `address` under the current or the previous secret. */
  isValid(address: string, token: Uint8Array): boolean {
    if (token.length !== this.#options.length) return false;
    this.#rotate();
    return (
      equal(token, this.#cached(this.#currentTokens, this.#current, address)) ||
      equal(token, this.#cached(this.#previousTokens, this.#previous, address))
    );
  }

  #cached(cache: Map<string, Uint8Array>, secret: Uint8Array, address: string): Uint8Array {
    let token = cache.get(address);
    if (token === undefined) {
      token = this.#token(secret, address);
      if (cache.size >= TOKEN_CACHE_LIMIT) cache.clear();
      cache.set(address, token);
    }
    return token;
  }

  #rotate(): void {
    const elapsed = this.#clock.now() - this.#rotatedAt;
    const periods = Math.floor(elapsed / this.#options.rotationMs);
    if (periods < 1) return;
    // Two or more periods without a look: both secrets are too old by now.
    this.#previous = periods === 1 ? this.#current : this.#secret();
    this.#previousTokens = periods === 1 ? this.#currentTokens : new Map();
    this.#current = this.#secret();
    this.#currentTokens = new Map();
    this.#rotatedAt += periods * this.#options.rotationMs;
  }

  #token(secret: Uint8Array, address: string): Uint8Array {
    // An address that does not parse (none should reach here) is hashed as text.
    const ip = parseIp(address) ?? new TextEncoder().encode(address);
    // One-shot hash over one buffer: a third cheaper than createHash().update().update().
    const input = ip.length <= 16 ? this.#input : new Uint8Array(SECRET_BYTES + ip.length);
    input.set(secret, 0);
    input.set(ip, SECRET_BYTES);
    const digest = hash('sha1', input.subarray(0, SECRET_BYTES + ip.length), 'buffer');
    return new Uint8Array(digest.subarray(0, this.#options.length));
  }

  #secret(): Uint8Array {
    return new Uint8Array(this.#randomBytes(SECRET_BYTES).subarray(0, SECRET_BYTES));
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

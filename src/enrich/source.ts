import type { Address } from './address.ts';
import type { Enrichment, EnrichmentField } from './enrichment.ts';

/** What one source is, for `dhtscope` to print (e.g. in `--version`-like output or a report header). */
export interface SourceDescription {
  /** `overlay`, `maxmind-asn`, `maxmind-city`, `builtin-asn` or `builtin-city`. */
  readonly name: string;
  /** The fields it can provide. */
  readonly fields: readonly EnrichmentField[];
  /** The files it reads (none for an in-memory overlay). */
  readonly files: readonly string[];
  /** One line for people: version, date, licence, size. */
  readonly detail: string;
  /** False until the first lookup that needs it (the built-in data loads lazily). */
  readonly loaded: boolean;
}

/** One source of enrichment; the enricher asks them in precedence order. */
export interface EnrichmentSource {
  describe(): SourceDescription;
  /** What this source knows about the address, or undefined if nothing. Never throws. */
  lookup(address: Address): Enrichment | undefined;
}

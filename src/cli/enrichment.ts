/** The enricher of the enrichment flags (--overlay, --maxmind-asn, --maxmind-city). */
import { createEnricher, type Enricher, EnrichmentConfigError } from '../enrich/index.ts';
import { CliError } from './errors.ts';

export interface EnrichmentFlags {
  overlay?: string;
  maxmindAsn?: string;
  maxmindCity?: string;
  /** Use the built-in data installed from npm (the enricher's default when left out). */
  builtin?: boolean;
}

/** Opens the enricher the flags name; a file it cannot use is a CLI error. */
export function enricherFromFlags(flags: EnrichmentFlags): Enricher {
  try {
    return createEnricher({
      ...(flags.builtin === undefined ? {} : { builtin: flags.builtin }),
      ...(flags.overlay === undefined ? {} : { overlayPath: flags.overlay }),
      ...(flags.maxmindAsn === undefined ? {} : { maxmindAsnPath: flags.maxmindAsn }),
      ...(flags.maxmindCity === undefined ? {} : { maxmindCityPath: flags.maxmindCity }),
    });
  } catch (error) {
    // Its message already ends with how to fix it.
    if (error instanceof EnrichmentConfigError) throw new CliError(error.message);
    throw error;
  }
}

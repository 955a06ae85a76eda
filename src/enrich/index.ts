/** The enrich layer: IP address → ASN, organisation, country, city, coordinates, label. */
export {
  createEnricher,
  ENRICHER_DEFAULTS,
  type Enricher,
  type EnricherOptions,
} from './enricher.ts';
export { ENRICHMENT_FIELDS, type Enrichment, type EnrichmentField } from './enrichment.ts';
export { EnrichmentConfigError } from './errors.ts';
export type { OverlayEntry } from './overlay.ts';
export { OVERLAY_COLUMNS, parseOverlayCsv } from './overlay-csv.ts';
export type { SourceDescription } from './source.ts';

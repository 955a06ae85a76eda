/**
 * What the enricher knows about one IP address. Every field is optional: an
 * address that no source knows (private, loopback, unallocated) is `{}`.
 */
export interface Enrichment {
  /** Autonomous system number. */
  readonly asn?: number;
  /** The autonomous system's organisation, as the source spells it. */
  readonly org?: string;
  /** ISO 3166-1 alpha-2 country code, upper case. */
  readonly country?: string;
  /** City name in English. */
  readonly city?: string;
  /** Degrees; always set together with `longitude`. */
  readonly latitude?: number;
  /** Degrees; always set together with `latitude`. */
  readonly longitude?: number;
  /** A free-form tag for a known range; only the overlay sets it (e.g. `lab-normal`). */
  readonly label?: string;
}

export type EnrichmentField = keyof Enrichment;

export const ENRICHMENT_FIELDS: readonly EnrichmentField[] = [
  'asn',
  'org',
  'country',
  'city',
  'latitude',
  'longitude',
  'label',
];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Fills the gaps of `higher` from `lower`, field by field, without mixing
 * facts that contradict each other: an organisation only joins an ASN the
 * lower source agrees on (AS64504 must not be named after the AS19281 the
 * built-in data has for that block), a city and coordinates only join a
 * country the lower source agrees on, and latitude and longitude travel as a
 * pair. A lower source that says nothing about the ASN (or country) agrees.
 */
export function fillGaps(higher: Enrichment, lower: Enrichment | undefined): Enrichment {
  if (lower === undefined) return higher;
  const out: Mutable<Enrichment> = { ...higher };
  if (out.asn === undefined) out.asn = lower.asn;
  if (out.country === undefined) out.country = lower.country;
  const sameAs = lower.asn === undefined || lower.asn === out.asn;
  const samePlace = lower.country === undefined || lower.country === out.country;
  if (out.org === undefined && sameAs) out.org = lower.org;
  if (out.city === undefined && samePlace) out.city = lower.city;
  if (out.latitude === undefined && samePlace && lower.latitude !== undefined) {
    out.latitude = lower.latitude;
    out.longitude = lower.longitude;
  }
  if (out.label === undefined) out.label = lower.label;
  return out;
}

/** True when no lower source could add anything but a label, so the search can stop. */
export function isComplete(e: Enrichment): boolean {
  return (
    e.asn !== undefined &&
    e.org !== undefined &&
    e.country !== undefined &&
    e.city !== undefined &&
    e.latitude !== undefined
  );
}

/** Builds an Enrichment with only the defined fields, in the canonical order. */
export function compactEnrichment(fields: Mutable<Enrichment>): Enrichment {
  const out: Mutable<Enrichment> = {};
  if (fields.asn !== undefined) out.asn = fields.asn;
  if (fields.org !== undefined) out.org = fields.org;
  if (fields.country !== undefined) out.country = fields.country;
  if (fields.city !== undefined) out.city = fields.city;
  if (fields.latitude !== undefined && fields.longitude !== undefined) {
    out.latitude = fields.latitude;
    out.longitude = fields.longitude;
  }
  if (fields.label !== undefined) out.label = fields.label;
  return out;
}

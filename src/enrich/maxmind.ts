import type { Reader, Response } from 'mmdb-lib';
import type { Address } from './address.ts';
import { compactEnrichment, type Enrichment } from './enrichment.ts';
import {
  coordinates,
  countryCode,
  finiteNumber,
  mmdbRecord,
  openMmdb,
  pick,
  text,
} from './mmdb.ts';
import type { EnrichmentSource, SourceDescription } from './source.ts';

/**
 * The user's own MaxMind GeoLite2 (or GeoIP2) databases, as the source
 * documents use them: GeoLite2-ASN for the autonomous system, GeoLite2-City
 * for country, city and coordinates. Opened when the enricher is built, so a
 * wrong path fails at start-up rather than at the first packet.
 */

const DOWNLOAD_HINT =
  'Download it from your MaxMind account (https://www.maxmind.com/en/accounts/current/geoip/downloads) and pass its path, or leave the option unset to use the built-in data.';

export function maxmindAsnSource(path: string): EnrichmentSource {
  const reader = openMmdb(path, `Check the GeoLite2-ASN path. ${DOWNLOAD_HINT}`);
  return {
    describe: () => describe('maxmind-asn', ['asn', 'org'], path, reader),
    lookup(address: Address): Enrichment | undefined {
      if (!covers(reader, address)) return undefined;
      const record = mmdbRecord(reader, address.text);
      if (record === undefined) return undefined;
      const asn = finiteNumber(pick(record, 'autonomous_system_number'));
      return compactEnrichment({
        asn: asn !== undefined && Number.isInteger(asn) && asn >= 0 ? asn : undefined,
        org: text(pick(record, 'autonomous_system_organization')),
      });
    },
  };
}

export function maxmindCitySource(path: string): EnrichmentSource {
  const reader = openMmdb(path, `Check the GeoLite2-City path. ${DOWNLOAD_HINT}`);
  return {
    describe: () =>
      describe('maxmind-city', ['country', 'city', 'latitude', 'longitude'], path, reader),
    lookup(address: Address): Enrichment | undefined {
      if (!covers(reader, address)) return undefined;
      const record = mmdbRecord(reader, address.text);
      if (record === undefined) return undefined;
      // Where MaxMind cannot place an address (anycast, some satellite links) it still
      // knows the country the block is registered in; that beats no country at all.
      const country =
        countryCode(pick(record, 'country', 'iso_code')) ??
        countryCode(pick(record, 'registered_country', 'iso_code'));
      const point = coordinates(
        pick(record, 'location', 'latitude'),
        pick(record, 'location', 'longitude'),
      );
      return compactEnrichment({
        country,
        city: text(pick(record, 'city', 'names', 'en')),
        latitude: point?.latitude,
        longitude: point?.longitude,
      });
    },
  };
}

/** An IPv4-only database walked with a 128-bit address would return an arbitrary record. */
export function covers(reader: Reader<Response>, address: Address): boolean {
  return address.family === 4 || reader.metadata.ipVersion === 6;
}

function describe(
  name: string,
  fields: SourceDescription['fields'],
  path: string,
  reader: Reader<Response>,
): SourceDescription {
  const { databaseType, buildEpoch } = reader.metadata;
  return {
    name,
    fields,
    files: [path],
    detail: `${databaseType}, built ${buildEpoch.toISOString().slice(0, 10)}`,
    loaded: true,
  };
}

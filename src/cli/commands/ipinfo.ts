import type { Command } from 'commander';
import { parseIp } from '../../protocol/net/ip.ts';
import { toJson } from '../../report/json.ts';
import { resultAsTable } from '../../report/query-result.ts';
import { enricherFromFlags } from '../enrichment.ts';
import { usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';

interface IpinfoFlags {
  overlay?: string;
  maxmindAsn?: string;
  maxmindCity?: string;
  builtin: boolean;
  sources?: boolean;
  json?: boolean;
}

const FIELDS = ['asn', 'org', 'country', 'city', 'latitude', 'longitude', 'label'] as const;

export function registerIpinfo(program: Command, io: CliIo): void {
  program
    .command('ipinfo')
    .description('what the enrichment sources say about IP addresses (no network lookups)')
    .argument('<ip...>', 'IPv4 or IPv6 addresses')
    .option(
      '--overlay <file>',
      'overlay CSV of CIDR → asn, org, country, city, latitude, longitude, label (wins over all)',
    )
    .option(
      '--maxmind-asn <file>',
      'a MaxMind GeoLite2-ASN .mmdb file (wins over the built-in data)',
    )
    .option(
      '--maxmind-city <file>',
      'a MaxMind GeoLite2-City .mmdb file (wins over the built-in data)',
    )
    .option('--no-builtin', 'do not use the built-in data installed from npm')
    .option('--sources', 'also list the sources in use, highest precedence first')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  dhtscope ipinfo 1.1.1.1 2001:4860:4860::8888 --sources\n\nSee docs/enrichment.md for the sources, their licences and the overlay format.',
    )
    .action((ips: string[], flags: IpinfoFlags) => {
      const bad = ips.filter((ip) => parseIp(ip) === null);
      if (bad.length > 0) {
        throw usageError(
          `${bad.map((ip) => `"${ip}"`).join(', ')} ${bad.length === 1 ? 'is not an IPv4 or IPv6 address' : 'are not IPv4 or IPv6 addresses'}`,
          'e.g. dhtscope ipinfo 1.1.1.1 2001:4860:4860::8888',
        );
      }
      const enricher = enricherFromFlags(flags);
      const results = ips.map((ip) => ({ ip, ...enricher.lookup(ip) }));
      if (flags.json === true) {
        io.out(toJson(flags.sources === true ? { results, sources: enricher.sources } : results));
        return;
      }
      const rows = results.map((r) => r as Record<string, unknown>);
      io.out(resultAsTable({ columns: ['ip', ...FIELDS], rows }, rows.length));
      if (flags.sources === true) {
        io.out('\nsources, highest precedence first:');
        for (const source of enricher.sources) io.out(`  ${source.name}: ${source.detail}`);
      }
    });
}

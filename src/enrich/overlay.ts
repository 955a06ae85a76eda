import { readFileSync } from 'node:fs';
import type { Address } from './address.ts';
import { maskWords, parseCidr } from './cidr.ts';
import { compactEnrichment, ENRICHMENT_FIELDS, type Enrichment, fillGaps } from './enrichment.ts';
import { EnrichmentConfigError } from './errors.ts';
import { FORMAT_HINT, parseOverlayCsv } from './overlay-csv.ts';
import type { EnrichmentSource, SourceDescription } from './source.ts';

/**
 * The overlay: the user's own facts about address ranges, above every other
 * source. The lab uses it to give its loopback nodes ASNs, organisations and
 * countries; an analyst can use it to name known crawler ranges.
 *
 * When ranges nest, the longest prefix wins field by field, and shorter
 * prefixes fill the fields it leaves empty (a /24 that only sets a label
 * keeps the ASN of the /16 around it).
 */
export interface OverlayEntry {
  /** `127.1.0.0/16`, `fd00:1::/32`, or a bare address for one host. */
  readonly cidr: string;
  readonly asn?: number;
  readonly org?: string;
  /** ISO 3166-1 alpha-2; upper-cased. */
  readonly country?: string;
  readonly city?: string;
  /** Set with `longitude` or not at all. */
  readonly latitude?: number;
  readonly longitude?: number;
  readonly label?: string;
}

/** Where an entry came from, for error messages. */
interface Origin {
  readonly file?: string;
  readonly line?: number;
  readonly describe: string;
}

interface Network {
  readonly prefix: number;
  readonly key: string;
  readonly fields: Enrichment;
  readonly origin: Origin;
}

export class Overlay implements EnrichmentSource {
  /** Per family, networks grouped by prefix length, longest first. */
  private readonly byLength: {
    4: Map<number, Map<string, Network>>;
    6: Map<number, Map<string, Network>>;
  };
  private readonly files: readonly string[];
  readonly size: number;

  private constructor(networks: { family: 4 | 6; network: Network }[], files: string[]) {
    this.byLength = { 4: new Map(), 6: new Map() };
    this.files = files;
    this.size = networks.length;
    const sorted = [...networks].sort((a, b) => b.network.prefix - a.network.prefix);
    for (const { family, network } of sorted) {
      let table = this.byLength[family].get(network.prefix);
      if (table === undefined) {
        table = new Map();
        this.byLength[family].set(network.prefix, table);
      }
      const clash = table.get(network.key);
      if (clash !== undefined) {
        throw new EnrichmentConfigError(
          `${network.origin.line === undefined ? `${network.origin.describe} ` : ''}repeats the network of ${clash.origin.describe}`,
          network.origin,
          'Give each network one line; nested networks are fine.',
        );
      }
      table.set(network.key, network);
    }
  }

  /** Builds the overlay from a file (optional) and in-memory entries; throws EnrichmentConfigError. */
  static from(options: { path?: string; entries?: readonly OverlayEntry[] }): Overlay {
    const networks: { family: 4 | 6; network: Network }[] = [];
    const files: string[] = [];
    if (options.path !== undefined) {
      files.push(options.path);
      const text = readOverlayFile(options.path);
      for (const { entry, line } of parseOverlayCsv(text, options.path)) {
        networks.push(toNetwork(entry, { file: options.path, line, describe: `line ${line}` }));
      }
    }
    (options.entries ?? []).forEach((entry, index) => {
      networks.push(toNetwork(entry, { describe: `overlay entry ${index + 1} (${entry.cidr})` }));
    });
    return new Overlay(networks, files);
  }

  lookup(address: Address): Enrichment | undefined {
    let found: Enrichment | undefined;
    for (const [prefix, table] of this.byLength[address.family]) {
      const network = table.get(maskWords(address.words, prefix).join('.'));
      if (network !== undefined)
        found = found === undefined ? network.fields : fillGaps(found, network.fields);
    }
    return found === undefined ? undefined : compactEnrichment(found);
  }

  describe(): SourceDescription {
    return {
      name: 'overlay',
      fields: ENRICHMENT_FIELDS,
      files: this.files,
      detail: `${this.size} network${this.size === 1 ? '' : 's'}`,
      loaded: true,
    };
  }
}

function readOverlayFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (cause as Error).message;
    throw new EnrichmentConfigError(
      `cannot read the overlay (${reason})`,
      { file: path },
      'Check the overlay path, or leave it unset.',
    );
  }
}

/** Checks an entry (from a file or from memory) and turns it into a network. */
function toNetwork(entry: OverlayEntry, origin: Origin): { family: 4 | 6; network: Network } {
  const bad = (problem: string) =>
    new EnrichmentConfigError(
      origin.line === undefined ? `${origin.describe}: ${problem}` : problem,
      origin,
      FORMAT_HINT,
    );
  const cidr = parseCidr(String(entry.cidr));
  if ('problem' in cidr) throw bad(cidr.problem);
  const { asn, country, latitude, longitude } = entry;
  if (asn !== undefined && !(Number.isInteger(asn) && asn >= 0 && asn <= 0xffffffff)) {
    throw bad(`the asn ${asn} is not a 32-bit AS number`);
  }
  if (country !== undefined && !/^[A-Za-z]{2}$/.test(country)) {
    throw bad(`the country "${country}" is not an ISO 3166 two-letter code (DE, US, ...)`);
  }
  if ((latitude === undefined) !== (longitude === undefined)) {
    throw bad('latitude and longitude go together: give both or neither');
  }
  if (latitude !== undefined && !(Math.abs(latitude) <= 90)) {
    throw bad(`the latitude ${latitude} is outside -90..90`);
  }
  if (longitude !== undefined && !(Math.abs(longitude) <= 180)) {
    throw bad(`the longitude ${longitude} is outside -180..180`);
  }
  const fields = compactEnrichment({
    asn,
    org: nonEmpty(entry.org),
    country: country?.toUpperCase(),
    city: nonEmpty(entry.city),
    latitude,
    longitude,
    label: nonEmpty(entry.label),
  });
  return {
    family: cidr.family,
    network: { prefix: cidr.prefix, key: cidr.words.join('.'), fields, origin },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

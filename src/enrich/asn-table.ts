import { readFileSync } from 'node:fs';
import { parseIp } from '../protocol/net/ip.ts';
import { toWords } from './address.ts';
import { unquoteCsvField } from './csv.ts';
import { EnrichmentConfigError } from './errors.ts';
import { writeIpv6Words } from './ipv6-words.ts';
import { compare, RangeTable } from './range-table.ts';

/**
 * ASN and organisation by address range, from the `@ip-location-db/asn` CSV
 * layout: `start,end,asn,org` per line, inclusive ranges, addresses either as
 * text (`1.0.0.0`, `2001:200::`) or as decimal integers (`16777216`), the
 * organisation CSV-quoted when it holds a comma. Rows live in typed arrays;
 * organisation names are stored once each (about 80,000 distinct among
 * 500,000 rows).
 */
export class AsnTable {
  readonly family: 4 | 6;
  readonly ranges: RangeTable;
  private readonly asns: Uint32Array;
  private readonly orgIds: Uint32Array;
  private readonly orgs: readonly string[];

  constructor(
    family: 4 | 6,
    ranges: RangeTable,
    asns: Uint32Array,
    orgIds: Uint32Array,
    orgs: string[],
  ) {
    this.family = family;
    this.ranges = ranges;
    this.asns = asns;
    this.orgIds = orgIds;
    this.orgs = orgs;
  }

  /** ASN and organisation of the range holding `words` (see `toWords`), or undefined. */
  find(words: Uint32Array): { asn: number; org: string | undefined } | undefined {
    const row = this.ranges.find(words);
    if (row < 0) return undefined;
    const org = this.orgs[this.orgIds[row]!];
    return { asn: this.asns[row]!, org: org === '' ? undefined : org };
  }

  get size(): number {
    return this.ranges.size;
  }
}

export function loadAsnCsv(path: string, family: 4 | 6): AsnTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new EnrichmentConfigError(
      `cannot read the ASN table (${(cause as Error).message})`,
      { file: path },
      'Reinstall the @ip-location-db/asn package (npm ci), or turn the built-in data off.',
    );
  }
  return parseAsnCsv(text, family, path);
}

/** Parses the CSV text; `file` only names the source in errors. */
export function parseAsnCsv(text: string, family: 4 | 6, file: string): AsnTable {
  const width = family === 4 ? 1 : 4;
  const capacity = countLines(text);
  const starts = new Uint32Array(capacity * width);
  const ends = new Uint32Array(capacity * width);
  const asns = new Uint32Array(capacity);
  const orgIds = new Uint32Array(capacity);
  const orgs: string[] = [];
  // Keyed by the raw (possibly quoted) field, so a known organisation costs one Map lookup.
  const orgIndex = new Map<string, number>();
  let rows = 0;
  let lineNumber = 0;
  // The hot loop works on offsets into the text: slicing every line and field
  // would double the load time of the 400,000-line IPv4 file.
  for (let at = 0; at < text.length; ) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = text.length;
    const lineStart = at;
    const lineEnd = text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    at = eol + 1;
    lineNumber++;
    if (lineEnd === lineStart) continue;
    const fail = (what: string) => badRow(what, text.slice(lineStart, lineEnd), file, lineNumber);
    const c1 = text.indexOf(',', lineStart);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c3 < 0 || c3 > lineEnd) throw fail('fewer than four fields');
    if (!writeAddress(text, lineStart, c1, family, starts, rows * width)) {
      throw fail(`the start is not an IPv${family} address`);
    }
    if (!writeAddress(text, c1 + 1, c2, family, ends, rows * width)) {
      throw fail(`the end is not an IPv${family} address`);
    }
    if (compare(starts, rows * width, ends, rows * width, width) > 0) {
      throw fail('the range ends before it starts');
    }
    const asn = decimal(text, c2 + 1, c3);
    if (asn < 0) throw fail('the ASN is not a 32-bit number');
    const rawOrg = text.slice(c3 + 1, lineEnd);
    let orgId = orgIndex.get(rawOrg);
    if (orgId === undefined) {
      const org = unquoteCsvField(rawOrg);
      if (org === undefined) throw fail('the organisation has unbalanced quotes');
      orgId = orgs.length;
      orgs.push(detach(org));
      orgIndex.set(rawOrg, orgId);
    }
    asns[rows] = asn;
    orgIds[rows] = orgId;
    rows++;
  }
  const sorted = sortRows(width, {
    starts: starts.slice(0, rows * width),
    ends: ends.slice(0, rows * width),
    asns: asns.slice(0, rows),
    orgIds: orgIds.slice(0, rows),
  });
  return new AsnTable(
    family,
    new RangeTable(width, sorted.starts, sorted.ends),
    sorted.asns,
    sorted.orgIds,
    orgs,
  );
}

/**
 * A copy of a string that does not point into the file's text: V8 makes
 * slices views of their parent, so keeping one slice would keep the whole
 * 20 MB file alive.
 */
function detach(slice: string): string {
  return Buffer.from(slice, 'utf8').toString('utf8');
}

function badRow(what: string, line: string, file: string, lineNumber: number) {
  return new EnrichmentConfigError(
    `${what} in "${line.slice(0, 80)}"`,
    { file, line: lineNumber },
    'Each line must be "start,end,asn,organisation"; reinstall the data package if it came from npm.',
  );
}

function countLines(text: string): number {
  let n = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/** The decimal number in text[from, to) if it fits 32 bits, else -1. */
function decimal(text: string, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n <= 0xffffffff ? n : -1;
}

const UINT128_MAX = (1n << 128n) - 1n;

/**
 * Writes the address in text[from, to) — textual, or a decimal integer as in
 * the `-num` files — as big-endian words at into[offset]. False if it is not
 * an address of the family.
 */
function writeAddress(
  text: string,
  from: number,
  to: number,
  family: 4 | 6,
  into: Uint32Array,
  offset: number,
): boolean {
  if (family === 4) {
    const n = decimal(text, from, to);
    if (n >= 0) {
      into[offset] = n;
      return true;
    }
  } else if (writeIpv6Words(text, from, to, into, offset)) {
    return true;
  }
  const field = text.slice(from, to);
  if (family === 6 && /^[0-9]{1,39}$/.test(field)) {
    let n = BigInt(field);
    if (n > UINT128_MAX) return false;
    for (let w = 3; w >= 0; w--) {
      into[offset + w] = Number(n & 0xffffffffn);
      n >>= 32n;
    }
    return true;
  }
  const bytes = parseIp(field);
  if (bytes === null || bytes.length !== (family === 4 ? 4 : 16)) return false;
  into.set(toWords(bytes), offset);
  return true;
}

interface Columns {
  starts: Uint32Array;
  ends: Uint32Array;
  asns: Uint32Array;
  orgIds: Uint32Array;
}

/**
 * Rows sorted by start (the npm files already are, and then this only
 * checks); a stable sort keeps the file's order for equal starts.
 */
function sortRows(width: number, columns: Columns): Columns {
  const { starts, ends, asns, orgIds } = columns;
  const rows = asns.length;
  let sorted = true;
  for (let r = 1; r < rows && sorted; r++) {
    sorted = compare(starts, (r - 1) * width, starts, r * width, width) <= 0;
  }
  if (sorted) return columns;
  const order = Array.from({ length: rows }, (_, r) => r);
  order.sort((a, b) => compare(starts, a * width, starts, b * width, width));
  const out: Columns = {
    starts: new Uint32Array(rows * width),
    ends: new Uint32Array(rows * width),
    asns: new Uint32Array(rows),
    orgIds: new Uint32Array(rows),
  };
  order.forEach((from, to) => {
    out.starts.set(starts.subarray(from * width, (from + 1) * width), to * width);
    out.ends.set(ends.subarray(from * width, (from + 1) * width), to * width);
    out.asns[to] = asns[from]!;
    out.orgIds[to] = orgIds[from]!;
  });
  return out;
}

/**
 * A minimal MaxMind DB writer for tests, from the MaxMind DB File Format
 * Specification 2.0 (https://maxmind.github.io/MaxMind-DB/): an IPv6 binary
 * search tree with 24-bit records, a 16-byte separator, a data section, and
 * the metadata map after "\xAB\xCD\xEFMaxMind.com". Values: maps, UTF-8
 * strings, doubles, uint16/uint32 and arrays; no pointers (each network's
 * record is written out in full), no deduplication.
 */
import { parseIp } from '../../src/protocol/net/ip.ts';

export type MmdbValue =
  | string
  | number
  | UnsignedInteger
  | MmdbValue[]
  | { [key: string]: MmdbValue };

/** An unsigned integer written with an explicit type (the metadata needs uint16 and uint64). */
export class UnsignedInteger {
  /** 5 = uint16, 6 = uint32, 9 = uint64 (the spec's type numbers). */
  readonly type: 5 | 6 | 9;
  readonly value: number;
  constructor(type: 5 | 6 | 9, value: number) {
    this.type = type;
    this.value = value;
  }
}
const uint16 = (value: number) => new UnsignedInteger(5, value);
const uint64 = (value: number) => new UnsignedInteger(9, value);

/** A network and its record; IPv4 networks are stored at ::a.b.c.d/(96 + prefix). */
export interface MmdbNetwork {
  readonly cidr: string;
  readonly record: { [key: string]: MmdbValue };
}

export interface MmdbWriterOptions {
  /** Metadata `database_type`, e.g. `GeoLite2-ASN`. */
  readonly databaseType: string;
  /** Seconds since the epoch for `build_epoch`. */
  readonly buildEpoch?: number;
}

/**
 * Writes a database holding `networks`. Later networks override earlier ones
 * where they overlap, so list a covering network before the ones inside it.
 */
export function writeMmdb(networks: readonly MmdbNetwork[], options: MmdbWriterOptions): Buffer {
  const data = new DataWriter();
  const root: TrieNode = { children: [undefined, undefined] };
  for (const network of networks) {
    const { bits, prefix } = toIpv6Bits(network.cidr);
    insert(root, bits, prefix, data.append(network.record));
  }
  const nodes = numberNodes(root);
  const nodeCount = nodes.length;
  const numbers = new Map(nodes.map((node, index) => [node, index]));
  const recordValue = (child: TrieChild): number => {
    // Below node_count: a node; node_count: no data; above: node_count + 16 + data offset.
    if (child === undefined) return nodeCount;
    if ('dataOffset' in child) return nodeCount + 16 + child.dataOffset;
    return numbers.get(child)!;
  };
  const tree = Buffer.alloc(nodeCount * 6);
  nodes.forEach((node, index) => {
    writeUint24(tree, index * 6, recordValue(node.children[0]));
    writeUint24(tree, index * 6 + 3, recordValue(node.children[1]));
  });
  const metadata = new DataWriter();
  metadata.append({
    binary_format_major_version: uint16(2),
    binary_format_minor_version: uint16(0),
    build_epoch: uint64(options.buildEpoch ?? 1_750_000_000),
    database_type: options.databaseType,
    description: { en: 'dhtscope test database' },
    ip_version: uint16(6),
    languages: ['en'],
    node_count: nodeCount,
    record_size: uint16(24),
  });
  return Buffer.concat([
    tree,
    Buffer.alloc(16),
    data.bytes(),
    Buffer.from([0xab, 0xcd, 0xef]),
    Buffer.from('MaxMind.com', 'ascii'),
    metadata.bytes(),
  ]);
}

/** A leaf holds the data-section offset of its record. */
type TrieChild = TrieNode | { readonly dataOffset: number } | undefined;
interface TrieNode {
  children: [TrieChild, TrieChild];
}

function isNode(child: TrieChild): child is TrieNode {
  return child !== undefined && 'children' in child;
}

function insert(root: TrieNode, bits: number[], prefix: number, dataOffset: number): void {
  let node = root;
  for (let depth = 0; depth < prefix - 1; depth++) {
    const bit = bits[depth]!;
    const child = node.children[bit];
    if (!isNode(child)) {
      // Splitting a leaf: both halves keep its record until something more specific lands.
      node.children[bit] = { children: [child, child] };
    }
    node = node.children[bit] as TrieNode;
  }
  node.children[bits[prefix - 1]!] = { dataOffset };
}

/** Breadth-first numbering; the root is node 0, as the format requires. */
function numberNodes(root: TrieNode): TrieNode[] {
  const nodes: TrieNode[] = [root];
  for (let i = 0; i < nodes.length; i++) {
    for (const child of nodes[i]!.children) if (isNode(child)) nodes.push(child);
  }
  return nodes;
}

function writeUint24(buffer: Buffer, offset: number, value: number): void {
  buffer[offset] = (value >> 16) & 0xff;
  buffer[offset + 1] = (value >> 8) & 0xff;
  buffer[offset + 2] = value & 0xff;
}

function toIpv6Bits(cidr: string): { bits: number[]; prefix: number } {
  const [address, prefixText] = cidr.split('/');
  const bytes = parseIp(address!);
  if (bytes === null) throw new Error(`not an address: ${cidr}`);
  const v4 = bytes.length === 4;
  const prefix = Number(prefixText ?? (v4 ? 32 : 128)) + (v4 ? 96 : 0);
  const full = v4 ? new Uint8Array([...new Uint8Array(12), ...bytes]) : bytes;
  const bits: number[] = [];
  for (let i = 0; i < 128; i++) bits.push((full[i >> 3]! >> (7 - (i & 7))) & 1);
  if (prefix < 1) throw new Error('the writer needs a prefix of at least 1 bit');
  return { bits, prefix };
}

/**
 * Encodes values in the data-section format. Numbers: non-negative integers
 * below 2^32 are uint32 (as MaxMind writes ASNs and geoname ids), anything
 * else a double (as it writes coordinates).
 */
class DataWriter {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  /** Appends a value and returns its offset in the section. */
  append(value: MmdbValue): number {
    const offset = this.length;
    this.write(value);
    return offset;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private push(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private write(value: MmdbValue): void {
    if (value instanceof UnsignedInteger) {
      const size = byteLength(value.value);
      this.control(value.type, size);
      this.push(bigEndian(value.value, size));
    } else if (typeof value === 'string') {
      const bytes = Buffer.from(value, 'utf8');
      this.control(2, bytes.length);
      this.push(bytes);
    } else if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
        this.write(new UnsignedInteger(6, value));
      } else {
        this.control(3, 8);
        const bytes = Buffer.alloc(8);
        bytes.writeDoubleBE(value);
        this.push(bytes);
      }
    } else if (Array.isArray(value)) {
      this.control(11, value.length);
      for (const item of value) this.write(item);
    } else {
      const entries = Object.entries(value);
      this.control(7, entries.length);
      for (const [key, item] of entries) {
        this.write(key);
        this.write(item);
      }
    }
  }

  /** The control byte(s): type in the top three bits (extended types after it), then the size. */
  private control(type: number, size: number): void {
    const head: number[] = [];
    let sizeBits: number;
    const extra: number[] = [];
    if (size < 29) sizeBits = size;
    else if (size < 29 + 256) {
      sizeBits = 29;
      extra.push(size - 29);
    } else if (size < 285 + 65536) {
      sizeBits = 30;
      extra.push(((size - 285) >> 8) & 0xff, (size - 285) & 0xff);
    } else {
      sizeBits = 31;
      const rest = size - 65821;
      extra.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff);
    }
    if (type <= 7) head.push((type << 5) | sizeBits);
    else head.push(sizeBits, type - 7);
    this.push(Buffer.from([...head, ...extra]));
  }
}

/** Integers are written in as few bytes as hold them (zero in none). */
function byteLength(value: number): number {
  let size = 0;
  for (let v = value; v > 0; v = Math.floor(v / 256)) size++;
  return size;
}

function bigEndian(value: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = size - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) bytes[i] = v & 0xff;
  return bytes;
}

/**
 * A human reading of one KRPC datagram, for `dhtscope decode`: every field
 * named as on the wire, ids in hex, compact nodes and peers spelled out,
 * client versions decoded, and for rejects the reason and where it happened.
 */
import pc from 'picocolors';
import { formatEndpoint } from '../dht/address.ts';
import { describeDecodeFailure } from '../protocol/bencode/index.ts';
import { toHex } from '../protocol/hex.ts';
import { decodeClientVersion } from '../protocol/krpc/client-version.ts';
import type { FieldSpec, TableSpec } from '../protocol/krpc/fields.ts';
import {
  COMMON_TABLE,
  describeKrpcError,
  type KrpcMessage,
  type ParseResult,
  QUERY_TABLES,
  RESPONSE_TABLE,
  UNKNOWN_QUERY_TABLE,
} from '../protocol/krpc/index.ts';
import type { CompactNode, PeerAddress } from '../protocol/net/compact.ts';
import { bep42Verdict } from '../protocol/security/bep42.ts';
import { printableAscii } from './json.ts';

export interface KrpcViewOptions {
  /** The address the datagram came from, to check the sender's id against BEP 42. */
  from?: string;
}

export function renderParseResult(
  datagram: Uint8Array,
  result: ParseResult,
  options: KrpcViewOptions = {},
): string {
  const lines: string[] = [];
  lines.push(pc.dim(`${datagram.length} bytes`));
  if (!result.ok) {
    lines.push(`${pc.red('rejected')}: ${pc.bold(result.reason)}`);
    if (result.reason.startsWith('bencode.')) {
      const reason = result.reason.slice('bencode.'.length) as Parameters<
        typeof describeDecodeFailure
      >[0];
      lines.push(`  ${describeDecodeFailure(reason)}`);
    }
    if (result.y !== undefined) lines.push(`  message type  y  ${result.y}`);
    if (result.method !== undefined) lines.push(`  method        q  ${result.method}`);
    if (result.t !== undefined) lines.push(`  transaction   t  ${bytesText(result.t)}`);
    if (result.offset !== undefined) lines.push(...hexContext(datagram, result.offset));
    return lines.join('\n');
  }
  const message = result.message;
  lines.push(pc.bold(title(message)));
  lines.push(...renderTable(message, COMMON_TABLE, '', options));
  lines.push(`  ${label('t', 't')}${bytesText(message.t)}`);
  if (message.y === 'q') {
    const table = message.method === 'unknown' ? UNKNOWN_QUERY_TABLE : QUERY_TABLES[message.method];
    lines.push(...renderTable(message.args, table, 'a.', options));
  } else if (message.y === 'r') {
    lines.push(...renderTable(message.result, RESPONSE_TABLE, 'r.', options));
  } else {
    lines.push(
      `  ${label('e[0]', 'code')}${message.code} ${pc.dim(describeKrpcError(message.code))}`,
    );
    lines.push(`  ${label('e[1]', 'error text')}${bytesText(message.message)}`);
  }
  lines.push(
    result.nonCanonical === null
      ? pc.dim('bencode: canonical')
      : pc.yellow(
          `bencode: non-canonical (${result.nonCanonical.reason} at byte ${result.nonCanonical.offset})`,
        ),
  );
  return lines.join('\n');
}

function title(message: KrpcMessage): string {
  if (message.y === 'q') {
    const name =
      message.method === 'unknown' ? `unknown method ${bytesText(message.name)}` : message.method;
    return `query · ${name}`;
  }
  return message.y === 'r' ? 'response' : 'error';
}

function renderTable(
  values: object,
  table: TableSpec,
  prefix: string,
  options: KrpcViewOptions,
): string[] {
  const lines: string[] = [];
  const record = values as Record<string, unknown>;
  for (const field of table.fields) {
    const value = record[field.prop];
    if (value === undefined) continue;
    lines.push(...renderField(`${prefix}${field.wire}`, field, value, options));
  }
  return lines;
}

function renderField(
  key: string,
  field: FieldSpec,
  value: unknown,
  options: KrpcViewOptions,
): string[] {
  const head = `  ${label(key, field.wire)}`;
  if (field.wire === 'v' && key === 'v' && value instanceof Uint8Array) {
    const version = decodeClientVersion(value);
    const name =
      version.client === undefined
        ? 'unknown client'
        : `${version.client} ${version.version ?? ''}`;
    return [`${head}${bytesText(value)} ${pc.cyan(name.trim())}`];
  }
  if (field.wire === 'id' && value instanceof Uint8Array)
    return [`${head}${toHex(value)}${bep42Note(value, options)}`];
  switch (field.kind.type) {
    case 'nodes': {
      const nodes = value as CompactNode[];
      return [
        `${head}${nodes.length} node(s)`,
        ...nodes.map((n) => `      ${toHex(n.id)}  ${formatEndpoint(n.address, n.port)}`),
      ];
    }
    case 'peers': {
      const peers = value as PeerAddress[];
      return [
        `${head}${peers.length} peer(s)`,
        ...peers.map((p) => `      ${formatEndpoint(p.address, p.port)}`),
      ];
    }
    case 'address': {
      const { address, port } = value as PeerAddress;
      return [`${head}${formatEndpoint(address, port)}`];
    }
    case 'flag':
      return [`${head}${value === true ? 'yes' : 'no'}`];
    case 'strings':
      return [`${head}${(value as string[]).join(', ')}`];
    case 'bytes': {
      const bytes = value as Uint8Array;
      if (field.kind.multipleOf === 20)
        return [`${head}${bytes.length / 20} infohash(es)`, ...chunks(bytes, 20)];
      return [`${head}${bytesText(bytes)}`];
    }
    default:
      return [`${head}${describeValue(value)}`];
  }
}

function bep42Note(id: Uint8Array, options: KrpcViewOptions): string {
  if (options.from === undefined) return '';
  const verdict = bep42Verdict(id, options.from);
  if (verdict === undefined) return '';
  if (verdict === 'exempt') return pc.dim(`  (BEP 42: ${options.from} is exempt)`);
  return verdict === 'valid'
    ? pc.green(`  (BEP 42: valid for ${options.from})`)
    : pc.yellow(`  (BEP 42: not valid for ${options.from})`);
}

/** What each wire key means, for readers who do not know the BEPs by heart. */
const MEANING: Readonly<Record<string, string>> = {
  t: 'transaction',
  v: 'client',
  ro: 'read-only',
  ip: 'seen you at',
  id: 'node id',
  target: 'target id',
  info_hash: 'infohash',
  want: 'families',
  noseed: 'no seeds',
  scrape: 'scrape',
  port: 'peer port',
  token: 'write token',
  implied_port: 'use UDP port',
  seed: 'is a seed',
  name: 'torrent name',
  nodes: 'IPv4 nodes',
  nodes6: 'IPv6 nodes',
  values: 'peers',
  samples: 'samples',
  interval: 'resample (s)',
  num: 'stored',
  BFsd: 'seed bloom',
  BFpe: 'peer bloom',
  seq: 'sequence',
  cas: 'expected seq',
  salt: 'salt',
  k: 'public key',
  sig: 'signature',
};

function label(key: string, wire: string): string {
  return `${key.padEnd(14)}${pc.dim((MEANING[wire] ?? wire).padEnd(13))} `;
}

function bytesText(bytes: Uint8Array): string {
  const text = printableAscii(bytes);
  return text === null ? toHex(bytes) : `${toHex(bytes)} ${pc.dim(JSON.stringify(text))}`;
}

function chunks(bytes: Uint8Array, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += size)
    out.push(`      ${toHex(bytes.subarray(at, at + size))}`);
  return out;
}

function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return bytesText(value);
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${describeValue(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

/** 16 bytes either side of `offset`, with a caret under the failing byte. */
function hexContext(datagram: Uint8Array, offset: number): string[] {
  const start = Math.max(0, offset - 16);
  const end = Math.min(datagram.length, offset + 16);
  const bytes = datagram.subarray(start, end);
  const hexPart = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const asciiPart = [...bytes]
    .map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.'))
    .join('');
  const caretAt = (offset - start) * 3;
  return [
    `  at byte ${offset}:`,
    `    ${hexPart}   ${asciiPart}`,
    `    ${' '.repeat(caretAt)}${pc.red(offset < datagram.length ? '^^' : '^ (end of input)')}`,
  ];
}

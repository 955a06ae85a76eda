/**
 * Datagram → typed KRPC message, or a rejection with a reason code. Never
 * throws on any input: a hostile network is expected, not exceptional.
 */
import { type BDict, decode, isDict, latin1, type NonCanonical } from '../bencode/index.ts';
import { parseKrpcFast } from './fast-path.ts';
import { readFields, type TableSpec } from './fields.ts';
import { KRPC_DECODE_OPTIONS } from './limits.ts';
import type { RejectReason } from './reasons.ts';
import { COMMON_TABLE, QUERY_TABLES, RESPONSE_TABLE, UNKNOWN_QUERY_TABLE } from './tables.ts';
import type { KrpcMessage, MessageCommon, QueryMethod } from './types.ts';

export interface ParseOptions {
  /** Reject non-canonical bencode instead of reporting it. Default false: real clients are sloppy. */
  strict?: boolean;
}

export interface ParseSuccess {
  ok: true;
  message: KrpcMessage;
  /** The first non-canonical bencode construct, if any (unsorted keys, leading zeros, …). */
  nonCanonical: NonCanonical | null;
}

export interface ParseFailure {
  ok: false;
  reason: RejectReason;
  /** Byte offset of a bencode failure. */
  offset?: number;
  /** The transaction id, when it could be read: lets a node answer with error 203. */
  t?: Uint8Array;
  /** The message type, when it could be read. */
  y?: 'q' | 'r' | 'e';
  /** The query method, when the failure is inside a query's arguments. */
  method?: QueryMethod | 'unknown';
}

export type ParseResult = ParseSuccess | ParseFailure;

const METHOD_BY_NAME = new Map<string, QueryMethod>(
  Object.keys(QUERY_TABLES).map((name) => [name, name as QueryMethod]),
);

const Y_QUERY = 0x71;
const Y_RESPONSE = 0x72;
const Y_ERROR = 0x65;

/**
 * Parses one datagram. Canonical, well-formed queries and responses (nearly
 * all traffic) take the fast path; everything else, and every rejection, is
 * decided by the general path below.
 */
export function parseKrpc(datagram: Uint8Array, options?: ParseOptions): ParseResult {
  const message = parseKrpcFast(datagram);
  if (message !== undefined) return { ok: true, message, nonCanonical: null };
  return parseKrpcGeneral(datagram, options);
}

/**
 * The general path: bencode to generic values, then the validation tables.
 * The reference for what is accepted and for every rejection reason.
 */
export function parseKrpcGeneral(datagram: Uint8Array, options?: ParseOptions): ParseResult {
  const decoded = decode(
    datagram,
    options?.strict === true ? { ...KRPC_DECODE_OPTIONS, strict: true } : KRPC_DECODE_OPTIONS,
  );
  if (!decoded.ok)
    return { ok: false, reason: `bencode.${decoded.reason}`, offset: decoded.offset };
  const root = decoded.value;
  if (!isDict(root)) return { ok: false, reason: 'message.not-a-dict' };

  const t = root.t;
  if (t === undefined) return { ok: false, reason: 'message.t.missing' };
  if (!(t instanceof Uint8Array)) return { ok: false, reason: 'message.t.bad-type' };

  const y = root.y;
  if (y === undefined) return { ok: false, reason: 'message.y.missing', t };
  if (!(y instanceof Uint8Array)) return { ok: false, reason: 'message.y.bad-type', t };
  const kind = y.length === 1 ? y[0] : -1;
  if (kind !== Y_QUERY && kind !== Y_RESPONSE && kind !== Y_ERROR) {
    return { ok: false, reason: 'message.y.bad-value', t };
  }
  const yChar = kind === Y_QUERY ? 'q' : kind === Y_RESPONSE ? 'r' : 'e';

  const common: MessageCommon = { t };
  const commonFailure = readFields(
    root,
    COMMON_TABLE,
    common as unknown as Record<string, unknown>,
  );
  if (commonFailure !== null) {
    return {
      ok: false,
      reason: `message.${commonFailure.wire}.${commonFailure.problem}`,
      t,
      y: yChar,
    };
  }
  if (common.ro === false) delete common.ro;

  let result: ParseResult;
  if (kind === Y_QUERY) result = parseQuery(root, common);
  else if (kind === Y_RESPONSE) result = parseResponse(root, common);
  else result = parseError(root, common);
  if (result.ok) result.nonCanonical = decoded.nonCanonical;
  return result;
}

function parseQuery(root: BDict, common: MessageCommon): ParseResult {
  const t = common.t;
  const q = root.q;
  if (q === undefined) return { ok: false, reason: 'query.q.missing', t, y: 'q' };
  if (!(q instanceof Uint8Array)) return { ok: false, reason: 'query.q.bad-type', t, y: 'q' };
  const method = METHOD_BY_NAME.get(latin1(q, 0, q.length));
  const a = root.a;
  if (a === undefined)
    return { ok: false, reason: 'query.a.missing', t, y: 'q', method: method ?? 'unknown' };
  if (!isDict(a))
    return { ok: false, reason: 'query.a.bad-type', t, y: 'q', method: method ?? 'unknown' };

  const table: TableSpec = method === undefined ? UNKNOWN_QUERY_TABLE : QUERY_TABLES[method];
  const args: Record<string, unknown> = {};
  const failure = readFields(a, table, args);
  if (failure !== null) {
    return {
      ok: false,
      reason: `${table.name}.${failure.wire}.${failure.problem}`,
      t,
      y: 'q',
      method: method ?? 'unknown',
    };
  }
  if (method === 'announce_peer' && args.impliedPort === undefined) args.impliedPort = false;
  const message =
    method === undefined
      ? { ...common, y: 'q' as const, method: 'unknown' as const, name: q, args }
      : { ...common, y: 'q' as const, method, args };
  return { ok: true, message: message as KrpcMessage, nonCanonical: null };
}

function parseResponse(root: BDict, common: MessageCommon): ParseResult {
  const t = common.t;
  const r = root.r;
  if (r === undefined) return { ok: false, reason: 'response.r.missing', t, y: 'r' };
  if (!isDict(r)) return { ok: false, reason: 'response.r.bad-type', t, y: 'r' };
  const result: Record<string, unknown> = {};
  const failure = readFields(r, RESPONSE_TABLE, result);
  if (failure !== null) {
    return { ok: false, reason: `response.${failure.wire}.${failure.problem}`, t, y: 'r' };
  }
  return {
    ok: true,
    message: { ...common, y: 'r', result } as unknown as KrpcMessage,
    nonCanonical: null,
  };
}

function parseError(root: BDict, common: MessageCommon): ParseResult {
  const t = common.t;
  const e = root.e;
  if (e === undefined) return { ok: false, reason: 'error.e.missing', t, y: 'e' };
  if (!Array.isArray(e)) return { ok: false, reason: 'error.e.bad-type', t, y: 'e' };
  if (e.length < 2) return { ok: false, reason: 'error.e.bad-length', t, y: 'e' };
  const [code, message] = e;
  if (typeof code !== 'number' || !(message instanceof Uint8Array)) {
    return { ok: false, reason: 'error.e.bad-type', t, y: 'e' };
  }
  return { ok: true, message: { ...common, y: 'e', code, message }, nonCanonical: null };
}

/**
 * One validation table per message type. A field's kind says what the wire
 * must hold; every way a field can be wrong becomes a reason code
 * `<table>.<wire key>.<problem>` (see reasons.ts).
 */
import type { FieldSpec, TableSpec } from './fields.ts';
import type { QueryMethod } from './types.ts';

const ID_LENGTH = 20;
/** BEP 33 bloom filters are 2048 bits. */
const BLOOM_BYTES = 256;

const id: FieldSpec = {
  wire: 'id',
  prop: 'id',
  kind: { type: 'bytes', length: ID_LENGTH },
  required: true,
};
const target: FieldSpec = {
  wire: 'target',
  prop: 'target',
  kind: { type: 'bytes', length: ID_LENGTH },
  required: true,
};
const infoHash: FieldSpec = {
  wire: 'info_hash',
  prop: 'infoHash',
  kind: { type: 'bytes', length: ID_LENGTH },
  required: true,
};
const want: FieldSpec = { wire: 'want', prop: 'want', kind: { type: 'strings' } };

export const QUERY_TABLES: Readonly<Record<QueryMethod, TableSpec>> = {
  // BEP 5
  ping: { name: 'ping', fields: [id] },
  // BEP 5, `want` from BEP 32
  find_node: { name: 'find_node', fields: [id, target, want] },
  // BEP 5, `want` from BEP 32, `noseed`/`scrape` from BEP 33
  get_peers: {
    name: 'get_peers',
    fields: [
      id,
      infoHash,
      want,
      { wire: 'noseed', prop: 'noseed', kind: { type: 'flag' } },
      { wire: 'scrape', prop: 'scrape', kind: { type: 'flag' } },
    ],
  },
  // BEP 5, `seed` from BEP 33
  announce_peer: {
    name: 'announce_peer',
    fields: [
      id,
      infoHash,
      { wire: 'port', prop: 'port', kind: { type: 'int', min: 0, max: 65535 }, required: true },
      { wire: 'token', prop: 'token', kind: { type: 'bytes' }, required: true },
      { wire: 'implied_port', prop: 'impliedPort', kind: { type: 'flag' } },
      { wire: 'seed', prop: 'seed', kind: { type: 'flag' } },
      { wire: 'name', prop: 'name', kind: { type: 'bytes' } },
    ],
  },
  // BEP 51
  sample_infohashes: { name: 'sample_infohashes', fields: [id, target, want] },
  // BEP 44
  get: {
    name: 'get',
    fields: [id, target, { wire: 'seq', prop: 'seq', kind: { type: 'int' } }],
  },
  // BEP 44: `k` is an ed25519 public key, `sig` an ed25519 signature, salt at most 64 bytes
  put: {
    name: 'put',
    fields: [
      id,
      { wire: 'token', prop: 'token', kind: { type: 'bytes' }, required: true },
      { wire: 'v', prop: 'value', kind: { type: 'any' }, required: true },
      { wire: 'k', prop: 'k', kind: { type: 'bytes', length: 32 } },
      { wire: 'sig', prop: 'sig', kind: { type: 'bytes', length: 64 } },
      { wire: 'seq', prop: 'seq', kind: { type: 'int' } },
      { wire: 'cas', prop: 'cas', kind: { type: 'int' } },
      { wire: 'salt', prop: 'salt', kind: { type: 'bytes', maxLength: 64 } },
    ],
  },
};

/** Queries with a method we do not know: nothing required, but what is there must be well-formed. */
export const UNKNOWN_QUERY_TABLE: TableSpec = {
  name: 'unknown',
  fields: [
    { ...id, required: false },
    { ...target, required: false },
    { ...infoHash, required: false },
  ],
};

/**
 * Responses do not name the query they answer, so one table covers the union
 * of all answers; callers that know the query check which fields it needs.
 */
export const RESPONSE_TABLE: TableSpec = {
  name: 'response',
  fields: [
    id,
    { wire: 'nodes', prop: 'nodes', kind: { type: 'nodes', family: 4 } }, // BEP 5
    { wire: 'nodes6', prop: 'nodes6', kind: { type: 'nodes', family: 6 } }, // BEP 32
    { wire: 'values', prop: 'values', kind: { type: 'peers' } }, // BEP 5, BEP 32
    { wire: 'token', prop: 'token', kind: { type: 'bytes' } }, // BEP 5
    { wire: 'samples', prop: 'samples', kind: { type: 'bytes', multipleOf: ID_LENGTH } }, // BEP 51
    // BEP 51 allows 0..21600 s; larger values are accepted here and capped by callers.
    { wire: 'interval', prop: 'interval', kind: { type: 'int', min: 0 } },
    { wire: 'num', prop: 'num', kind: { type: 'int', min: 0 } }, // BEP 51
    { wire: 'BFsd', prop: 'bfsd', kind: { type: 'bytes', length: BLOOM_BYTES } }, // BEP 33
    { wire: 'BFpe', prop: 'bfpe', kind: { type: 'bytes', length: BLOOM_BYTES } }, // BEP 33
    { wire: 'v', prop: 'value', kind: { type: 'any' } }, // BEP 44
    { wire: 'k', prop: 'k', kind: { type: 'bytes', length: 32 } }, // BEP 44
    { wire: 'sig', prop: 'sig', kind: { type: 'bytes', length: 64 } }, // BEP 44
    { wire: 'seq', prop: 'seq', kind: { type: 'int' } }, // BEP 44
  ],
};

/** Top-level keys shared by every message (BEP 5 `v`, BEP 43 `ro`, BEP 42 `ip`). */
export const COMMON_TABLE: TableSpec = {
  name: 'message',
  fields: [
    { wire: 'v', prop: 'v', kind: { type: 'bytes' } },
    { wire: 'ro', prop: 'ro', kind: { type: 'flag' } },
    { wire: 'ip', prop: 'ip', kind: { type: 'address' } },
  ],
};

export const ALL_TABLES: readonly TableSpec[] = [
  ...Object.values(QUERY_TABLES),
  UNKNOWN_QUERY_TABLE,
  RESPONSE_TABLE,
  COMMON_TABLE,
];

/**
 * The fields of every query's arguments by wire name, for readers that meet
 * a query's arguments before its method: a name two methods give different
 * kinds is left out (such a query goes the general way).
 */
export function unionOfQueryFields(): [string, FieldSpec][] {
  const byWire = new Map<string, FieldSpec | null>();
  for (const table of Object.values(QUERY_TABLES)) {
    for (const field of table.fields) {
      const known = byWire.get(field.wire);
      if (known === undefined) byWire.set(field.wire, field);
      else if (known !== null && JSON.stringify(known.kind) !== JSON.stringify(field.kind))
        byWire.set(field.wire, null);
    }
  }
  return [...byWire].filter((entry): entry is [string, FieldSpec] => entry[1] !== null);
}

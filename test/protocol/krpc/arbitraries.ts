/**
 * fast-check generators of typed KRPC messages, derived from the validation
 * tables: every field of every table is generated in its typed form, so a
 * round trip through encode and parse covers what the tables declare.
 */
import fc from 'fast-check';
import {
  COMMON_TABLE,
  encodeKrpc,
  type FieldKind,
  type KrpcMessage,
  QUERY_METHODS,
  QUERY_TABLES,
  RESPONSE_TABLE,
  type TableSpec,
  UNKNOWN_QUERY_TABLE,
} from '../../../src/protocol/krpc/index.ts';
import { formatIp } from '../../../src/protocol/net/ip.ts';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const latin1 = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  maxLength: 4,
});
const ipv4 = bytes(4, 4).map(formatIp);
const ipv6 = bytes(16, 16).map(formatIp);
const port = fc.integer({ min: 0, max: 65535 });
const peer = (address: fc.Arbitrary<string>) =>
  fc.record({ address, port }, { noNullPrototype: true });
const node = (address: fc.Arbitrary<string>) =>
  fc.record({ id: bytes(20, 20), address, port }, { noNullPrototype: true });

function arbitraryFor(kind: FieldKind): fc.Arbitrary<unknown> {
  switch (kind.type) {
    case 'bytes':
      if (kind.length !== undefined) return bytes(kind.length, kind.length);
      if (kind.multipleOf !== undefined) {
        const m = kind.multipleOf;
        return fc.nat({ max: 5 }).chain((n) => bytes(n * m, n * m));
      }
      return bytes(0, kind.maxLength ?? 24);
    case 'int':
      return fc.integer({ min: kind.min ?? -(2 ** 40), max: kind.max ?? 2 ** 40 });
    case 'flag':
      return fc.constant(true); // false is written as absence, so it is generated as absence
    case 'strings':
      return fc.array(latin1, { maxLength: 3 });
    case 'nodes':
      return fc.array(node(kind.family === 4 ? ipv4 : ipv6), { maxLength: 8 });
    case 'peers':
      return fc.array(peer(fc.oneof(ipv4, ipv6)), { maxLength: 6 });
    case 'address':
      return peer(fc.oneof(ipv4, ipv6));
    case 'any':
      return fc.oneof(bytes(0, 16), fc.integer(), fc.array(bytes(0, 4), { maxLength: 3 }));
  }
}

function recordOf(table: TableSpec): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of table.fields) model[field.prop] = arbitraryFor(field.kind);
  const requiredKeys = table.fields.filter((f) => f.required === true).map((f) => f.prop);
  return fc.record(model, { requiredKeys, noNullPrototype: true });
}

const common = recordOf(COMMON_TABLE).chain((c) => bytes(0, 8).map((t) => ({ ...c, t })));

const knownQuery = fc.constantFrom(...QUERY_METHODS).chain((method) =>
  fc.tuple(common, recordOf(QUERY_TABLES[method]), fc.boolean()).map(([c, args, impliedPort]) => ({
    ...c,
    y: 'q',
    method,
    // announce_peer always reads implied_port as a boolean (absent = false).
    args: method === 'announce_peer' ? { ...args, impliedPort } : args,
  })),
);

const unknownQuery = fc
  .tuple(common, recordOf(UNKNOWN_QUERY_TABLE), bytes(1, 12))
  .filter(
    ([, , name]) =>
      !(QUERY_METHODS as readonly string[]).includes(Buffer.from(name).toString('latin1')),
  )
  .map(([c, args, name]) => ({ ...c, y: 'q', method: 'unknown', name, args }));

const response = fc
  .tuple(common, recordOf(RESPONSE_TABLE))
  .map(([c, result]) => ({ ...c, y: 'r', result }));

const error = fc
  .tuple(common, fc.integer({ min: 0, max: 999 }), bytes(0, 40))
  .map(([c, code, message]) => ({ ...c, y: 'e', code, message }));

export const krpcMessage: fc.Arbitrary<KrpcMessage> = fc.oneof(
  knownQuery,
  unknownQuery,
  response,
  error,
) as fc.Arbitrary<KrpcMessage>;

/** A typed message's encoding with one byte changed, cut short there, or one byte inserted there. */
export const mutatedKrpc: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    krpcMessage,
    fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.nat({ max: 2 }) }),
  )
  .map(([message, e]) => {
    const bytes = encodeKrpc(message);
    const i = bytes.length === 0 ? 0 : e.at % bytes.length;
    if (e.kind === 0) return Uint8Array.from(bytes).fill(e.byte, i, i + 1);
    if (e.kind === 1) return bytes.subarray(0, i);
    return Uint8Array.from([...bytes.subarray(0, i), e.byte, ...bytes.subarray(i)]);
  });

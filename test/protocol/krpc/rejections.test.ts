/**
 * Every rejection has its reason code. The cases are generated from the
 * validation tables themselves, so a field added to a table is tested the
 * moment it exists: each required field left out, each field given the wrong
 * type, the wrong length or an out-of-range value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BEncodable, encode } from '../../../src/protocol/bencode/index.ts';
import {
  allRejectReasons,
  COMMON_TABLE,
  type FieldKind,
  type FieldSpec,
  parseKrpc,
  QUERY_TABLES,
  RESPONSE_TABLE,
  type TableSpec,
  UNKNOWN_QUERY_TABLE,
} from '../../../src/protocol/krpc/index.ts';
import { ascii } from '../../helpers/bytes.ts';

const t = ascii('tx');

/** A valid wire value for a field kind. */
function validValue(kind: FieldKind): BEncodable {
  switch (kind.type) {
    case 'bytes':
      return new Uint8Array(kind.length ?? kind.multipleOf ?? 4).fill(0x41);
    case 'int':
      return kind.min ?? 1;
    case 'flag':
      return 1;
    case 'strings':
      return [ascii('n4')];
    case 'nodes':
      return new Uint8Array(kind.family === 4 ? 26 : 38).fill(1);
    case 'peers':
      return [new Uint8Array(6).fill(1)];
    case 'address':
      return new Uint8Array(6).fill(1);
    case 'any':
      return 1;
  }
}

/** Wrong values for a field kind, each with the problem it must be reported as. */
function wrongValues(kind: FieldKind): [BEncodable, string][] {
  const cases: [BEncodable, string][] = [];
  switch (kind.type) {
    case 'bytes':
      cases.push([7, 'bad-type']);
      if (kind.length !== undefined) cases.push([new Uint8Array(kind.length - 1), 'bad-length']);
      if (kind.maxLength !== undefined)
        cases.push([new Uint8Array(kind.maxLength + 1), 'bad-length']);
      if (kind.multipleOf !== undefined)
        cases.push([new Uint8Array(kind.multipleOf + 1), 'bad-length']);
      break;
    case 'int':
      cases.push([ascii('7'), 'bad-type']);
      if (kind.min !== undefined) cases.push([kind.min - 1, 'out-of-range']);
      if (kind.max !== undefined) cases.push([kind.max + 1, 'out-of-range']);
      break;
    case 'flag':
      cases.push([ascii('1'), 'bad-type']);
      break;
    case 'strings':
      cases.push([ascii('n4'), 'bad-type'], [[1], 'bad-type']);
      break;
    case 'nodes':
      cases.push([1, 'bad-type'], [new Uint8Array(kind.family === 4 ? 25 : 37), 'bad-length']);
      break;
    case 'peers':
      cases.push([ascii('x'), 'bad-type'], [[1], 'bad-type'], [[new Uint8Array(5)], 'bad-length']);
      break;
    case 'address':
      cases.push([1, 'bad-type'], [new Uint8Array(7), 'bad-length']);
      break;
    case 'any':
      break;
  }
  return cases;
}

function validDict(table: TableSpec): Record<string, BEncodable> {
  return Object.fromEntries(table.fields.map((f) => [f.wire, validValue(f.kind)]));
}

type Wrap = (dict: Record<string, BEncodable>) => Record<string, BEncodable>;

const wraps: [TableSpec, Wrap, string | undefined][] = [
  ...Object.entries(QUERY_TABLES).map(
    ([method, table]) =>
      [table, (a: Record<string, BEncodable>) => ({ t, y: 'q', q: method, a }), method] as [
        TableSpec,
        Wrap,
        string,
      ],
  ),
  [UNKNOWN_QUERY_TABLE, (a) => ({ t, y: 'q', q: 'vote', a }), 'unknown'],
  [RESPONSE_TABLE, (r) => ({ t, y: 'r', r }), undefined],
  [COMMON_TABLE, (top) => ({ ...top, t, y: 'r', r: { id: new Uint8Array(20) } }), undefined],
];

const seen = new Set<string>();

function expectReason(message: Record<string, BEncodable>, reason: string, method?: string): void {
  const result = parseKrpc(encode(message));
  if (result.ok) assert.fail(`expected ${reason}, but the message was accepted`);
  assert.equal(result.reason, reason);
  if (
    !reason.startsWith('bencode.') &&
    !reason.startsWith('message.not') &&
    !reason.startsWith('message.t.')
  ) {
    assert.deepEqual(result.t, t, 'the transaction id is reported so the sender can be answered');
  }
  if (method !== undefined) assert.equal(result.method, method);
  seen.add(reason);
}

describe('KRPC rejections, generated from the validation tables', () => {
  for (const [table, wrap, method] of wraps) {
    it(`${table.name}: a complete valid dictionary is accepted`, () => {
      const result = parseKrpc(encode(wrap(validDict(table))));
      if (!result.ok) assert.fail(`rejected: ${result.reason}`);
    });
    for (const field of table.fields as FieldSpec[]) {
      if (field.required === true) {
        it(`${table.name}.${field.wire}: missing`, () => {
          const dict = validDict(table);
          delete dict[field.wire];
          expectReason(wrap(dict), `${table.name}.${field.wire}.missing`, method);
        });
      }
      for (const [value, problem] of wrongValues(field.kind)) {
        it(`${table.name}.${field.wire}: ${problem} (${describeValue(value)})`, () => {
          expectReason(
            wrap({ ...validDict(table), [field.wire]: value }),
            `${table.name}.${field.wire}.${problem}`,
            method,
          );
        });
      }
    }
  }
});

describe('KRPC rejections of the envelope', () => {
  const id = new Uint8Array(20);
  const cases: [string, Uint8Array | Record<string, BEncodable>][] = [
    ['bencode.unexpected-end', ascii('d1:t2:tx')],
    ['bencode.unexpected-byte', ascii('d1:tx')],
    ['bencode.bad-integer', ascii('d1:ti1xe')],
    ['bencode.bad-length', ascii('d1x')],
    ['bencode.key-not-string', ascii('di1ei2ee')],
    ['bencode.depth-limit', ascii(`${'l'.repeat(33)}${'e'.repeat(33)}`)],
    ['bencode.string-limit', ascii('d1:t65537:')],
    ['bencode.element-limit', ascii(`l${'0:'.repeat(65_536)}e`)],
    ['bencode.integer-limit', ascii(`d1:ti${'1'.repeat(33)}ee`)],
    ['bencode.trailing-data', ascii('d1:t2:txe!')],
    ['message.not-a-dict', ascii('l1:te')],
    ['message.t.missing', { y: 'q', q: 'ping', a: { id } }],
    ['message.t.bad-type', { t: 1, y: 'q', q: 'ping', a: { id } }],
    ['message.y.missing', { t, q: 'ping', a: { id } }],
    ['message.y.bad-type', { t, y: 1, q: 'ping', a: { id } }],
    ['message.y.bad-value', { t, y: 'x', q: 'ping', a: { id } }],
    ['message.y.bad-value', { t, y: 'qq', q: 'ping', a: { id } }],
    ['query.q.missing', { t, y: 'q', a: { id } }],
    ['query.q.bad-type', { t, y: 'q', q: 1, a: { id } }],
    ['query.a.missing', { t, y: 'q', q: 'ping' }],
    ['query.a.bad-type', { t, y: 'q', q: 'ping', a: [id] }],
    ['response.r.missing', { t, y: 'r' }],
    ['response.r.bad-type', { t, y: 'r', r: id }],
    ['error.e.missing', { t, y: 'e' }],
    ['error.e.bad-type', { t, y: 'e', e: 201 }],
    ['error.e.bad-type', { t, y: 'e', e: ['201', 'x'] }],
    ['error.e.bad-length', { t, y: 'e', e: [201] }],
  ];
  for (const [reason, message] of cases) {
    it(reason, () => {
      const bytes = message instanceof Uint8Array ? message : encode(message);
      const result = parseKrpc(bytes);
      assert.ok(!result.ok);
      assert.equal(result.reason, reason);
      seen.add(reason);
    });
  }

  it('strict mode turns non-canonical bencode into a rejection', () => {
    seen.add('bencode.non-canonical');
    const sloppy = ascii('d1:y1:q1:t2:tx1:q4:ping1:ad2:id20:AAAAAAAAAAAAAAAAAAAAee');
    const lenient = parseKrpc(sloppy);
    assert.ok(lenient.ok);
    assert.equal(lenient.nonCanonical?.reason, 'unsorted-keys');
    const strict = parseKrpc(sloppy, { strict: true });
    assert.ok(!strict.ok);
    assert.equal(strict.reason, 'bencode.non-canonical');
  });

  it('the published list of reasons is exactly the set these tests reach', () => {
    const all = new Set<string>(allRejectReasons());
    for (const reason of seen) assert.ok(all.has(reason), `${reason} is not in allRejectReasons()`);
    for (const reason of all)
      assert.ok(seen.has(reason), `${reason} is published but no test reaches it`);
  });

  it('no wire key of any table is an Object.prototype member (plain property reads stay safe)', () => {
    for (const table of [
      ...Object.values(QUERY_TABLES),
      UNKNOWN_QUERY_TABLE,
      RESPONSE_TABLE,
      COMMON_TABLE,
    ]) {
      for (const field of table.fields)
        assert.equal(field.wire in Object.prototype, false, field.wire);
    }
  });
});

function describeValue(value: BEncodable): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

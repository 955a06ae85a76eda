import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BoundedTable } from '../../src/capture/bittorrent/bounded-table.ts';
import { PendingQueries } from '../../src/capture/bittorrent/pending-queries.ts';

const TTL = 1_000;

/** The plain way the table must behave: a string key per query in a BoundedTable. */
function plainKey(q: string, qp: number, r: string, rp: number, t: Uint8Array): string {
  return `${q} ${qp} ${r} ${rp} ${Buffer.from(t).toString('hex')}`;
}

const address = fc.constantFrom('10.0.0.1', '10.0.0.12', '10.0.0.123', '2001:db8::1', '1.2.3.45');
const fewAddresses = fc.constantFrom('10.0.0.1', '10.0.0.12');
// Mostly a few endpoints, so the same query is resent and the oldest evicted while it is pending.
const op = fc.record({
  response: fc.boolean(),
  querier: fc.oneof({ arbitrary: fewAddresses, weight: 4 }, { arbitrary: address, weight: 1 }),
  querierPort: fc.constantFrom(6881, 6881, 6881, 51413, 1),
  responder: fc.oneof({ arbitrary: fewAddresses, weight: 4 }, { arbitrary: address, weight: 1 }),
  responderPort: fc.constantFrom(6881, 6881, 6882),
  // Empty, short, the 6-byte edge, and long ids (kept as text).
  tid: fc.oneof(
    // Ids that recur, so queries are resent and answered twice.
    fc.constantFrom(Uint8Array.of(), Uint8Array.of(0), Uint8Array.of(0, 0), Uint8Array.of(1, 2)),
    fc.uint8Array({ maxLength: 2 }),
    fc.uint8Array({ minLength: 6, maxLength: 7 }),
    fc.uint8Array({ minLength: 8, maxLength: 12 }),
  ),
  dt: fc.integer({ min: 0, max: 700 }),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Address ids, one per distinct text, as the analyzer gives them. */
const ids = new Map<string, number>();
function id(address: string): number {
  if (!ids.has(address)) ids.set(address, ids.size);
  return ids.get(address)!;
}

/** Replays `ops` against the table and the plain model, checking every answer and the size. */
function replay(ops: Op[], max: number): void {
  const table = new PendingQueries(max, TTL);
  const model = new BoundedTable<true>(max, TTL);
  let ts = 1_763_700_000_000_000;
  for (const o of ops) {
    ts += o.dt;
    // Ids sit inside a larger datagram, as the skim finds them.
    const buf = Uint8Array.of(0x64, ...o.tid, 0x65);
    const key = plainKey(o.querier, o.querierPort, o.responder, o.responderPort, o.tid);
    const query = [id(o.querier), o.querierPort, id(o.responder), o.responderPort] as const;
    if (o.response) {
      const matched = table.take(...query, buf, 1, 1 + o.tid.length, ts);
      assert.equal(matched, model.take(key, ts) === true);
    } else {
      table.add(...query, buf, 1, 1 + o.tid.length, ts);
      model.set(key, ts, true);
    }
    assert.equal(table.size, model.size);
  }
}

describe('pending DHT queries', () => {
  it('match responses as a string-keyed bounded table does, over random histories', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 20, maxLength: 300 }),
        fc.integer({ min: 1, max: 30 }),
        replay,
      ),
      { numRuns: 300 },
    );
  });

  it('still match the model over long histories, as the record of insertion order is compacted and grown', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 3000, maxLength: 5000 }),
        fc.integer({ min: 1, max: 1500 }),
        replay,
      ),
      { numRuns: 20 },
    );
  });

  it('tells ids apart by length and by every byte, and endpoints by side', () => {
    const [A, B] = [id('10.0.0.1'), id('10.0.0.2')];
    const table = new PendingQueries(100, TTL);
    const t = (...bytes: number[]) => Uint8Array.from(bytes);
    table.add(A, 6881, B, 6881, t(0), 0, 1, 0);
    assert.equal(table.take(A, 6881, B, 6881, t(0, 0), 0, 2, 1), false);
    assert.equal(table.take(A, 6881, B, 6881, t(), 0, 0, 1), false);
    assert.equal(table.take(B, 6881, A, 6881, t(0), 0, 1, 1), false, 'sides swapped');
    assert.equal(table.take(A, 6882, B, 6881, t(0), 0, 1, 1), false, 'another port');
    assert.equal(table.take(A, 6881, B, 6881, t(0), 0, 1, 1), true);
    assert.equal(table.take(A, 6881, B, 6881, t(0), 0, 1, 2), false, 'taken once');
    const long = t(1, 2, 3, 4, 5, 6, 7, 8, 9);
    table.add(A, 6881, B, 6881, long, 0, 9, 0);
    assert.equal(table.take(A, 6881, B, 6881, t(1, 2, 3, 4, 5, 6, 7, 8, 0), 0, 9, 1), false);
    assert.equal(table.take(A, 6881, B, 6881, long, 0, 9, TTL + 1), false, 'too late');
    assert.equal(table.size, 0);
  });

  it('finds each of 200,000 pending queries again and nothing else', () => {
    const table = new PendingQueries(200_000, TTL);
    const tid = new Uint8Array(4);
    const view = new DataView(tid.buffer);
    for (let i = 0; i < 200_000; i++) {
      view.setUint32(0, i);
      table.add(i & 255, 6881, 256 + ((i >> 8) & 255), 1024 + (i % 7), tid, 0, 4, 0);
    }
    assert.equal(table.size, 200_000);
    let matched = 0;
    for (let i = 0; i < 200_000; i++) {
      view.setUint32(0, i);
      if (table.take(i & 255, 6881, 256 + ((i >> 8) & 255), 1024 + (i % 7), tid, 0, 4, 1))
        matched++;
    }
    assert.equal(matched, 200_000);
    assert.equal(table.size, 0);
  });
});

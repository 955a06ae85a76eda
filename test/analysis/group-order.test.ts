/** Rows ordered or arranged by group and time: the linear path for groups already in order, a sort for the rest. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrangeByGroupAndTime, orderByGroupAndTime } from '../../src/analysis/group-order.ts';
import { rng } from '../helpers/rng.ts';

function rows(n: number, groups: number, seed: number) {
  const r = rng(seed);
  const group = new Int32Array(n);
  const ts = new Float64Array(n);
  const then = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    group[i] = 1 + Math.floor(r() * groups);
    // Mostly rising, some late arrivals, many equal times.
    ts[i] = r() < 0.1 ? Math.floor(r() * i) : i - (i % 3);
    then[i] = Math.floor(r() * 4);
  }
  return { group, ts, then };
}

function expected(group: Int32Array, ts: Float64Array, then?: Float64Array): number[] {
  return Array.from(group.keys()).sort(
    (a, b) => group[a]! - group[b]! || ts[a]! - ts[b]! || (then ? then[a]! - then[b]! : 0) || a - b,
  );
}

describe('orderByGroupAndTime', () => {
  it('orders by group, then time, then arrival', () => {
    const { group, ts } = rows(5000, 40, 1);
    const { start, order } = orderByGroupAndTime(group, group.length, 40, ts);
    assert.deepEqual([...order], expected(group, ts));
    for (let g = 1; g <= 40; g++)
      for (let j = start[g]!; j < start[g + 1]!; j++) assert.equal(group[order[j]!], g);
  });

  it('breaks equal times by the extra key before arrival', () => {
    const { group, ts, then } = rows(5000, 40, 2);
    const { order } = orderByGroupAndTime(group, group.length, 40, ts, then);
    assert.deepEqual([...order], expected(group, ts, then));
  });

  it('keeps groups that arrive in order as they are', () => {
    const group = Int32Array.from([2, 1, 2, 1, 2]);
    const ts = Float64Array.from([1, 5, 1, 5, 3]);
    const { start, order } = orderByGroupAndTime(group, 5, 2, ts);
    assert.deepEqual([...order], [1, 3, 0, 2, 4]);
    assert.deepEqual([...start.subarray(1, 4)], [0, 2, 5]);
  });
});

describe('arrangeByGroupAndTime', () => {
  it('moves every column’s rows into group, time and arrival order', () => {
    const { group, ts } = rows(5000, 40, 3);
    const arrival = Int32Array.from(group.keys());
    const columns = [ts, arrival, Uint8Array.from(group)];
    const start = arrangeByGroupAndTime(group, group.length, 40, columns, 0);
    const [arrangedTs, arrangedArrival, arrangedGroup] = columns as [
      Float64Array,
      Int32Array,
      Uint8Array,
    ];
    const want = expected(group, ts);
    assert.deepEqual([...arrangedArrival], want);
    assert.deepEqual(
      [...arrangedTs],
      want.map((i) => ts[i]),
    );
    for (let g = 1; g <= 40; g++)
      for (let j = start[g]!; j < start[g + 1]!; j++) assert.equal(arrangedGroup[j], g);
    assert.equal(start[41], 5000);
  });

  it('replaces each column by an arranged copy and leaves the old one as it was', () => {
    const group = Int32Array.from([2, 1, 2, 1]);
    const ts = Float64Array.from([4, 3, 1, 2]);
    const columns = [ts];
    const start = arrangeByGroupAndTime(group, 4, 2, columns, 0);
    assert.notEqual(columns[0], ts);
    assert.deepEqual([...columns[0]!], [2, 3, 1, 4]);
    assert.deepEqual([...ts], [4, 3, 1, 2]);
    assert.deepEqual([...start.subarray(1, 4)], [0, 2, 4]);
  });
});

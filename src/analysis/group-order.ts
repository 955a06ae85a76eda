/**
 * Rows ordered (or moved) by group (an address number) and time, in linear
 * time: a counting sort on the group, then each group's rows checked and
 * sorted only if they are out of time order — rare, since the store's parts
 * are written in time order. An ORDER BY over ten million rows costs DuckDB
 * several times what scanning them does.
 */
import { type Column, type ColumnType, sharedArray } from './shared-memory.ts';

export interface GroupOrder {
  /** Group g's rows are `order[start[g]] … order[start[g + 1] − 1]` (groups 1 … n). */
  start: Int32Array;
  order: Int32Array;
}

/**
 * Orders rows 0 … length − 1 by `group` (1 … groups), then `ts`, then
 * `then` if given, then arrival (ties keep the order they came in).
 */
export function orderByGroupAndTime(
  group: Int32Array,
  length: number,
  groups: number,
  ts: Float64Array,
  then?: Float64Array,
): GroupOrder {
  const start = groupStarts(group, length, groups);
  const fill = Int32Array.from(start);
  const order = sharedArray(Int32Array, length);
  for (let i = 0; i < length; i++) order[fill[group[i]!]!++] = i;
  const before =
    then === undefined
      ? (a: number, b: number) => ts[a]! - ts[b]! || a - b
      : (a: number, b: number) => ts[a]! - ts[b]! || then[a]! - then[b]! || a - b;
  // Rows went in by increasing index, so a group whose times never decrease is in order
  // (equal times keep arrival order) unless `then` must break the ties.
  const inOrder =
    then === undefined
      ? (from: number, to: number) => {
          for (let j = from + 1; j < to; j++) if (ts[order[j - 1]!]! > ts[order[j]!]!) return false;
          return true;
        }
      : (from: number, to: number) => {
          for (let j = from + 1; j < to; j++)
            if (before(order[j - 1]!, order[j]!) >= 0) return false;
          return true;
        };
  for (let g = 1; g <= groups; g++) {
    const from = start[g]!;
    const to = start[g + 1]!;
    if (!inOrder(from, to)) order.subarray(from, to).sort(before);
  }
  return { start, order };
}

/**
 * Moves the rows themselves into group and time order: row i of every
 * column goes to its place, then any group out of time order is sorted
 * (ties keep arrival order). Each column in `columns` is replaced by its
 * arranged copy, one after the other, so a caller that holds no other
 * reference to them needs room for one more column only. `columns[tsAt]`
 * holds the times. Returns the group starts.
 *
 * Readers then walk each group's rows one after the other instead of
 * jumping through an order array: ten million rows read in address order
 * through an order array cost a cache miss per column per row, and the
 * detectors and the keyspace tallies ran at half speed for it. Scattering
 * each column once (sequential reads, scattered writes) costs less than one
 * such pass.
 */
export function arrangeByGroupAndTime(
  group: Int32Array,
  length: number,
  groups: number,
  columns: Column[],
  tsAt: number,
): Int32Array {
  const start = groupStarts(group, length, groups);
  const fill = Int32Array.from(start);
  const place = new Int32Array(length);
  for (let i = 0; i < length; i++) place[i] = fill[group[i]!]!++;
  for (let k = 0; k < columns.length; k++) {
    const column = columns[k]!;
    const out = sharedArray(column.constructor as ColumnType<typeof column>, length);
    for (let i = 0; i < length; i++) out[place[i]!] = column[i]!;
    columns[k] = out;
  }
  const ts = columns[tsAt] as Float64Array;
  for (let g = 1; g <= groups; g++) {
    const from = start[g]!;
    const to = start[g + 1]!;
    let sorted = true;
    for (let j = from + 1; j < to && sorted; j++) sorted = ts[j - 1]! <= ts[j]!;
    if (!sorted) sortRows(columns, from, to, ts);
  }
  return start;
}

/** Where each group's rows begin once counted (the counting sort's first half): group g at start[g]. */
function groupStarts(group: Int32Array, length: number, groups: number): Int32Array {
  const start = sharedArray(Int32Array, groups + 2);
  for (let i = 0; i < length; i++) start[group[i]! + 1]!++;
  for (let g = 1; g < start.length; g++) start[g]! += start[g - 1]!;
  return start;
}

/** Sorts rows from … to − 1 of every column by time, equal times in the order they stand. */
function sortRows(columns: Column[], from: number, to: number, ts: Float64Array): void {
  const rank = Array.from({ length: to - from }, (_, k) => from + k);
  rank.sort((a, b) => ts[a]! - ts[b]! || a - b);
  for (const column of columns) {
    const before = column.slice(from, to);
    for (let k = 0; k < rank.length; k++) column[from + k] = before[rank[k]! - from]!;
  }
}

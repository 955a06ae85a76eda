/** The operator reader: each address's events in time order, and the distinct targets it counts by number. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  computeOperatorFeatures,
  type OperatorTrack,
  QUERY_KINDS,
} from '../../src/analysis/operator-features.ts';
import {
  allAddresses,
  emitTracks,
  type OperatorColumns,
  readOperatorColumns,
  shareColumns,
} from '../../src/analysis/operator-stream.ts';
import { detectPrefixWalk } from '../../src/analysis/prefix-walk.ts';
import { sweepStats } from '../../src/analysis/sweep.ts';
import type { StoreReader } from '../../src/store/index.ts';
import type { EventRecord } from '../../src/store/schema.ts';
import { makeEvents, storeOfEvents } from '../helpers/events.ts';

const roots: string[] = [];
let reader: StoreReader;
let data: OperatorColumns;
let queries = 0;
let stored: EventRecord[] = [];

before(async () => {
  // 30 addresses, 40 targets: every address repeats targets, across kinds.
  const events = makeEvents(6000, 1_767_225_600_000_000, 250_000, 5, 0, 40).map((e, i) => ({
    ...e,
    remoteIp: `10.0.0.${(i * 7) % 30}`,
  }));
  stored = events.filter((e) => (QUERY_KINDS as readonly string[]).includes(e.kind));
  queries = stored.length;
  reader = await storeOfEvents(events, roots, 'dhtscope-operator-stream-');
  data = await reader.withFreshViews((duck) => readOperatorColumns(duck));
});

after(() => {
  reader.close();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tracks(cap: number, shared = false): OperatorTrack[] {
  const out: OperatorTrack[] = [];
  const input = shared ? shareColumns(data) : data;
  emitTracks(input, allAddresses(data), cap, (t) => out.push(t));
  return out;
}

describe('emitTracks', () => {
  it('hands out every query once, each address in time order', () => {
    const all = tracks(1_000_000);
    assert.equal(all.length, 30);
    assert.ok(queries > 4000 && queries < 6000, 'malformed datagrams are not queries');
    assert.equal(
      all.reduce((n, t) => n + t.events.length, 0),
      queries,
    );
    for (const t of all)
      for (let k = 1; k < t.events.length; k++)
        assert.ok(t.events[k - 1]!.ts <= t.events[k]!.ts, `${t.remoteIp} in time order`);
  });

  it('hands out the very node ids and targets the store holds, from the packed copy too', () => {
    const text = (e: { ts: number; kind: string; target?: string; remoteId?: string }) =>
      `${e.ts} ${e.kind} ${e.target} ${e.remoteId}`;
    for (const shared of [false, true])
      for (const t of tracks(1_000_000, shared)) {
        const want = stored.filter((e) => e.remoteIp === t.remoteIp).map(text);
        assert.deepEqual(t.events.map(text).sort(), want.sort(), t.remoteIp);
      }
  });

  for (const cap of [1_000_000, 25]) {
    it(`counts the distinct targets the detectors would count from the events (cap ${cap})`, () => {
      for (const shared of [false, true]) {
        for (const track of tracks(cap, shared)) {
          const { distinct, ...plain } = track;
          assert.ok(distinct !== undefined);
          assert.ok(distinct.lookupTargets > 0 || cap < 1_000_000);
          assert.deepEqual(computeOperatorFeatures(track), computeOperatorFeatures(plain));
          assert.deepEqual(
            sweepStats(track.events, distinct.lookupTargets),
            sweepStats(track.events),
          );
          const lenient = { ...PREFIX_WALK_ANY };
          assert.deepEqual(
            detectPrefixWalk(track.events, lenient, distinct.lookupTargets),
            detectPrefixWalk(track.events, lenient),
          );
        }
      }
    });
  }
});

/** Settings under which the prefix-walk test gets as far as its distinct count on these tracks. */
const PREFIX_WALK_ANY = {
  minTargets: 1,
  minPrefixes: 1,
  maxStep: 4096,
  minWalkShare: 0,
  minTargetsPerPrefix: 0,
};

/**
 * The live schedule detector: a watch list on a timer is one alert at the
 * visit that makes it a schedule; swarm peers, impatient clients and
 * irregular returns are not schedules; state stays bounded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveDetectors } from '../../src/analysis/live/detectors.ts';
import { ScheduleTracker } from '../../src/analysis/live/schedule-tracker.ts';
import type { EventKind, EventRecord } from '../../src/store/schema.ts';

const MIN = 60_000_000;
const START = Date.UTC(2026, 0, 5) * 1000;
const hash = (c: string) => c.repeat(40);
const lookup = (ts: number, ip: string, target: string, kind: EventKind = 'get_peers') => ({
  ts,
  remoteIp: ip,
  kind,
  target,
});

describe('live schedule tracker', () => {
  it('reports a watch list once, at the third regular visit', () => {
    const tracker = new ScheduleTracker();
    const found: { at: number; hash: string }[] = [];
    for (let round = 0; round < 6; round++) {
      const at = START + round * 30 * MIN + (round % 2 === 0 ? 2 : -2) * MIN;
      for (const [i, h] of ['1', '2', '3'].entries()) {
        // Each lookup heard twice, seconds apart: one visit.
        for (const ts of [at + i * 3e6, at + i * 3e6 + 4e6]) {
          const f = tracker.observe(lookup(ts, '10.0.0.1', hash(h)));
          if (f !== undefined) found.push({ at: round, hash: f.infohash });
        }
      }
    }
    assert.deepEqual(found, [{ at: 2, hash: hash('1') }]);
    assert.equal(tracker.laterHashes('10.0.0.1'), 2, 'hashes 2 and 3 counted, not alerted');
  });

  it('finds the schedule behind an odd first visit, at the visit that shows it', () => {
    const tracker = new ScheduleTracker();
    // A start-up lookup, then every 10.5 min: the first interval (4 min) breaks ± 30 %.
    const starts = [0, 4, 14.5, 25, 35.5].map((m) => START + m * MIN);
    const found = starts.map((ts) => tracker.observe(lookup(ts, '10.0.0.9', hash('f'))));
    assert.deepEqual(
      found.map((f) => f !== undefined),
      [false, false, false, true, false],
    );
    assert.equal(found[3]!.visits, 3);
    assert.equal(found[3]!.periodSeconds, 630);
    assert.equal(found[3]!.firstUs, starts[1]);
  });

  it('leaves out swarm peers, impatient clients and irregular returns', () => {
    const tracker = new ScheduleTracker();
    const alerts: unknown[] = [];
    const feed = (ts: number, ip: string, target: string, kind: EventKind = 'get_peers') => {
      const f = tracker.observe(lookup(ts, ip, target, kind));
      if (f !== undefined) alerts.push(f);
    };
    for (let i = 0; i < 6; i++) {
      // A swarm peer re-asking its torrent every 30 min and announcing it.
      feed(START + i * 30 * MIN, '10.0.0.2', hash('a'));
      feed(START + i * 30 * MIN + 1e6, '10.0.0.2', hash('a'), 'announce_peer');
      // Every 2 minutes: regular, but below the 5-minute period floor.
      feed(START + i * 2 * MIN, '10.0.0.3', hash('b'));
    }
    // Returns at 0, 1 h, 4 h, 4.5 h: no steady period.
    for (const h of [0, 1, 4, 4.5]) feed(START + h * 60 * MIN, '10.0.0.4', hash('c'));
    assert.deepEqual(alerts, []);
  });

  it('holds at most maxPairs pairs under a blast of one-off lookups', () => {
    const tracker = new ScheduleTracker({ maxPairs: 1000 });
    for (let i = 0; i < 20_000; i++)
      tracker.observe(lookup(START + i * 20, `10.1.${i >> 8}.${i & 255}`, hash('d')));
    assert.ok(tracker.tracked <= 1000, `${tracker.tracked} pairs`);
  });
});

describe('live detectors together', () => {
  it('raises a sweep, a prefix walk and a schedule as typed alerts, each once', () => {
    let now = START / 1000;
    const detectors = new LiveDetectors(() => now);
    const types: string[] = [];
    const feed = (e: Partial<EventRecord>) => {
      now = e.ts! / 1000;
      for (const a of detectors.observe({ kind: 'get_peers', ...e } as EventRecord))
        types.push(`${a.type} ${a.remoteIp}`);
    };
    // A sweep: 40 targets in ascending order, one target per 1/40 of the keyspace.
    for (let i = 0; i < 40; i++) {
      const prefix = Math.floor((i / 40) * 0xffff)
        .toString(16)
        .padStart(4, '0');
      feed({ ts: START + i * 5e6, remoteIp: '10.0.0.5', target: prefix + '0'.repeat(36) });
    }
    // A prefix walk: 4 targets in each of 96a, 96b, 96c, 96d.
    for (let p = 0; p < 4; p++)
      for (let k = 0; k < 4; k++)
        feed({
          ts: START + (p * 4 + k) * 2e6,
          remoteIp: '10.0.0.6',
          target:
            (0x96a + p).toString(16) +
            ((k * 7919) % 4096).toString(16).padStart(3, '0') +
            '0'.repeat(34),
        });
    // A schedule: one hash every 20 minutes.
    for (let i = 0; i < 4; i++)
      feed({ ts: START + i * 20 * MIN, remoteIp: '10.0.0.7', target: hash('e') });
    assert.deepEqual(types.sort(), [
      'prefix_walk 10.0.0.6',
      'scheduled 10.0.0.7',
      'sweep 10.0.0.5',
    ]);
  });
});

/** The injected clocks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MicrosecondStamper, scaledClock } from '../../src/dht/clock.ts';
import { ManualClock } from '../../src/dht/manual-clock.ts';

describe('ManualClock', () => {
  it('fires due timers in time order, each at its own time, including timers they set', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cancelled);
    clock.advance(30);
    assert.deepEqual(fired, ['a@110', 'c@115', 'b@120']);
    assert.equal(clock.now(), 130);
    assert.equal(clock.pendingTimers, 0);
  });

  it('leaves timers not yet due', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 1_000);
    clock.advance(999);
    assert.equal(fired, false);
    clock.advance(1);
    assert.equal(fired, true);
  });
});

describe('scaledClock', () => {
  it('runs time faster and shortens timers by the same factor', () => {
    const base = new ManualClock(1_000);
    const fast = scaledClock(60, base);
    let fired = false;
    fast.setTimeout(() => {
      fired = true;
    }, 60_000);
    base.advance(999);
    assert.equal(fired, false);
    base.advance(1);
    assert.equal(fired, true);
    assert.equal(fast.now(), 1_000 + 60_000);
  });
});

describe('MicrosecondStamper', () => {
  it('orders events within one millisecond and never goes backwards', () => {
    const stamper = new MicrosecondStamper();
    assert.deepEqual(
      [5, 5, 5.7, 6, 4, 7].map((ms) => stamper.stamp(ms)),
      [5_000, 5_001, 5_002, 6_000, 6_001, 7_000],
    );
  });
});

/** untilStopped: a duration beyond what one timer can wait, and the signals that end it early. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { untilStopped } from '../../src/cli/wait.ts';

describe('untilStopped', () => {
  it('a duration of 40 days does not end at once (one timer fires early past 24.8 days)', async () => {
    let ended = false;
    const waiting = untilStopped(40 * 86_400).then(() => {
      ended = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(ended, false);
    // SIGTERM ends it; emitted to this process's listeners only, no signal is sent.
    process.emit('SIGTERM');
    await waiting;
    assert.equal(ended, true);
    assert.equal(process.listenerCount('SIGTERM'), 0, 'nothing left behind');
  });

  it('a short duration ends by itself', async () => {
    const start = Date.now();
    await untilStopped(0.05);
    assert.ok(Date.now() - start >= 45);
    assert.equal(process.listenerCount('SIGINT'), 0);
  });
});

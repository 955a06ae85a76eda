import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressTable } from '../../src/capture/addresses.ts';
import { HostTally } from '../../src/capture/host-tally.ts';

describe('per-host counts by address id', () => {
  it('keep every host once, in the order first counted, with its counts, as the columns grow', () => {
    const addresses = new AddressTable();
    // More ids than the columns start with, counted out of id order.
    const ids = Array.from({ length: 5000 }, (_, i) => addresses.internV4((10 << 24) | i));
    const tally = new HostTally();
    const order = [...ids].reverse();
    for (const [k, id] of order.entries()) {
      tally.add(id);
      tally.udpDatagrams[id]! += k % 3;
      tally.add(id);
      tally.connections[id]!++;
    }
    tally.add(ids[0]!);
    const stats = [...tally.stats(addresses).values()];
    assert.equal(stats.length, 5000);
    assert.deepEqual(
      stats.map((s) => s.id),
      order,
    );
    assert.deepEqual([...tally.ids()], order);
    for (const [k, s] of stats.entries()) {
      assert.equal(s.address, addresses.text(order[k]!));
      assert.equal(s.udpDatagrams, k % 3);
      assert.equal(s.connections, 1);
      assert.equal(s.failed, 0);
    }
  });
});

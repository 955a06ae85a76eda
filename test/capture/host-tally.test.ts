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
    const hosts = [...tally.ids()];
    assert.equal(hosts.length, 5000);
    assert.deepEqual(hosts, order);
    for (const [k, id] of hosts.entries()) {
      assert.equal(tally.udpDatagrams[id], k % 3);
      assert.equal(tally.connections[id], 1);
      assert.equal(tally.failed[id], 0);
    }
  });
});

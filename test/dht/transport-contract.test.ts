/**
 * One contract, two transports: what the node relies on holds for the
 * in-memory network exactly as for real UDP on loopback (STYLE.md §8).
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, describe, it } from 'node:test';
import { DhtTransportError } from '../../src/dht/errors.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import type { Endpoint, Transport } from '../../src/dht/transport.ts';
import { udpTransport } from '../../src/dht/udp-transport.ts';

interface Backend {
  name: string;
  /** Binds a transport on the backend's loopback address. */
  open(port?: number): Promise<Transport>;
  /** Waits until datagrams in flight have arrived. */
  settle(receiver: Transport, count: number): Promise<void>;
  loopback: string;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  // Real sockets deliver on their own schedule; poll, with a generous cap.
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function memoryBackend(): Backend {
  const network = memoryNetwork();
  return {
    name: 'memory network',
    loopback: '127.0.0.1',
    open: async (port = 0) => network.transport('127.0.0.1', port),
    settle: () => network.settle(),
  };
}

function udpBackend(loopback: string): Backend {
  return {
    name: `UDP on ${loopback}`,
    loopback,
    open: (port = 0) => udpTransport({ address: loopback, port }),
    settle: (receiver, count) =>
      waitFor(() => receiver.stats.received >= count, `${count} datagrams`),
  };
}

async function ipv6LoopbackWorks(): Promise<boolean> {
  const socket = createSocket({ type: 'udp6', ipv6Only: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    socket.close();
  }
}

const backends = [memoryBackend(), udpBackend('127.0.0.1')];
if (await ipv6LoopbackWorks()) backends.push(udpBackend('::1'));

for (const backend of backends) {
  describe(`transport contract: ${backend.name}`, () => {
    const open: Transport[] = [];
    const openTransport = async (port?: number) => {
      const transport = await backend.open(port);
      open.push(transport);
      return transport;
    };
    after(async () => {
      await Promise.all(open.map((t) => t.close()));
    });

    it('binds a free port when asked for port 0 and reports its endpoint', async () => {
      const transport = await openTransport();
      assert.equal(transport.local.address, backend.loopback);
      assert.ok(transport.local.port > 0 && transport.local.port <= 65_535);
      assert.equal(transport.local.family, backend.loopback.includes(':') ? 6 : 4);
    });

    it('delivers a datagram with the sender endpoint, and counts it on both sides', async () => {
      const a = await openTransport();
      const b = await openTransport();
      const got: { data: Uint8Array; from: Endpoint }[] = [];
      b.onDatagram((data, from) => got.push({ data: new Uint8Array(data), from }));
      const payload = new Uint8Array([100, 49, 58, 116, 101]);
      a.send(payload, b.local);
      await backend.settle(b, 1);
      assert.equal(got.length, 1);
      assert.deepEqual(got[0]!.data, payload);
      assert.deepEqual(got[0]!.from, a.local);
      assert.equal(a.stats.sent, 1);
      assert.equal(a.stats.bytesSent, payload.length);
      assert.equal(b.stats.received, 1);
      assert.equal(b.stats.bytesReceived, payload.length);
      assert.equal(a.stats.sendErrors, 0);
    });

    it('sends are independent of the caller reusing its buffer afterwards', async () => {
      const a = await openTransport();
      const b = await openTransport();
      const got: Uint8Array[] = [];
      b.onDatagram((data) => got.push(new Uint8Array(data)));
      const buffer = new Uint8Array([1, 2, 3]);
      a.send(buffer, b.local);
      await backend.settle(b, 1);
      buffer[0] = 9;
      assert.deepEqual(got[0], new Uint8Array([1, 2, 3]));
    });

    it('keeps datagrams apart and in order between two endpoints', async () => {
      const a = await openTransport();
      const b = await openTransport();
      const got: number[] = [];
      b.onDatagram((data) => got.push(data[0]!));
      for (let i = 0; i < 20; i++) a.send(new Uint8Array([i]), b.local);
      await backend.settle(b, 20);
      // Loopback does not reorder in practice; the contract only needs all of them.
      assert.deepEqual(
        [...got].sort((x, y) => x - y),
        Array.from({ length: 20 }, (_, i) => i),
      );
    });

    it('sends right before close still leave, in order', async () => {
      const a = await openTransport();
      const b = await openTransport();
      const got: number[] = [];
      b.onDatagram((data) => got.push(data[0]!));
      // Fewer than a loopback socket's receive buffer holds, so the kernel drops none.
      const count = 150;
      for (let i = 0; i < count; i++) a.send(new Uint8Array([i]), b.local);
      await a.close();
      await backend.settle(b, count);
      assert.deepEqual(
        [...got].sort((x, y) => x - y),
        Array.from({ length: count }, (_, i) => i),
      );
      assert.equal(a.stats.sent, count);
    });

    it('a burst larger than one batch all leaves: counted sent, none failed', async () => {
      const a = await openTransport();
      const b = await openTransport();
      // The receiver may drop some (its buffer fills during the burst); the sender must not.
      for (let i = 0; i < 1000; i++) a.send(new Uint8Array([i & 255]), b.local);
      await a.close();
      assert.equal(a.stats.sent, 1000);
      assert.equal(a.stats.sendErrors, 0);
    });

    it('counts a send error instead of throwing: bad port, oversized datagram', async () => {
      const a = await openTransport();
      a.send(new Uint8Array([1]), { address: backend.loopback, port: 0 });
      a.send(new Uint8Array(70_000), { address: backend.loopback, port: 9 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(a.stats.sendErrors, 2);
      assert.equal(a.stats.sent, 0);
    });

    it('refuses a port already bound, with a clear error', async () => {
      const a = await openTransport();
      await assert.rejects(
        () => backend.open(a.local.port),
        (error: unknown) =>
          error instanceof DhtTransportError &&
          error.code === 'EADDRINUSE' &&
          /already in use/.test(error.message) &&
          error.message.includes(String(a.local.port)),
      );
    });

    it('after close: nothing more is received, the port is free again, close is idempotent', async () => {
      const a = await openTransport();
      const b = await openTransport();
      const port = b.local.port;
      let got = 0;
      b.onDatagram(() => got++);
      await b.close();
      await b.close();
      a.send(new Uint8Array([1]), { address: backend.loopback, port });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(got, 0);
      const again = await openTransport(port);
      assert.equal(again.local.port, port);
      b.send(new Uint8Array([1]), a.local);
      assert.equal(b.stats.sendErrors, 1);
    });
  });
}

describe('memory network extras', () => {
  it('loses datagrams at the configured rate and lets an observer see them all', async () => {
    let draw = 0;
    const network = memoryNetwork({ lossRate: 0.5, random: () => (draw++ % 2 === 0 ? 0.1 : 0.9) });
    const a = network.transport('10.0.0.1', 1000);
    const b = network.transport('10.0.0.2', 2000);
    const seen: boolean[] = [];
    network.observe((d) => seen.push(d.delivered));
    let got = 0;
    b.onDatagram(() => got++);
    for (let i = 0; i < 10; i++) a.send(new Uint8Array([i]), b.local);
    a.send(new Uint8Array([0]), { address: '10.0.0.3', port: 1 });
    await network.settle();
    assert.equal(got, 5);
    assert.equal(seen.length, 11);
    assert.deepEqual(network.stats, { carried: 11, lost: 5, unreachable: 1 });
  });

  it('refuses to send across address families', () => {
    const network = memoryNetwork();
    const a = network.transport('10.0.0.1', 1000);
    a.send(new Uint8Array([1]), { address: '::1', port: 1000 });
    assert.equal(a.stats.sendErrors, 1);
  });
});

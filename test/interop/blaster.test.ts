/**
 * The ingest benchmark's tools: bench/blaster.ts (in a child process) sends a
 * fixed number of KRPC queries to a bare receiver, which gets all of them,
 * every one a valid query, all from 127.0.0.0/8.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { buildPool, DISTINCT_IDS, parseOptions } from '../../bench/blaster.ts';
import { bareReceiver, blast } from '../../bench/udp-baseline.ts';
import { parseKrpc } from '../../src/protocol/krpc/index.ts';

const BLASTER = new URL('../../bench/blaster.ts', import.meta.url).pathname;

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('UDP blaster and bare receiver', () => {
  it('delivers N valid KRPC queries from 16 loopback sources to two receiving ports', async () => {
    const receiver = await bareReceiver([0, 0], { keep: 1_000, recordSources: true });
    const count = 6_000;
    try {
      // Paced, so that a busy test machine does not overflow the socket buffers.
      const report = await blast({
        targets: receiver.ports.map((port) => ({ address: '127.0.0.1', port })),
        count,
        rate: 20_000,
      });
      assert.equal(report.sent, count);
      assert.equal(report.errors, 0);
      assert.equal(report.sources, 16);
      await until(() => receiver.received() >= count, 2_000);
      assert.equal(receiver.received(), count);
      assert.equal(receiver.bytes(), report.bytes);

      const sources = [...receiver.sources()].sort();
      assert.equal(sources.length, 16);
      for (const address of sources) assert.match(address, /^127\.\d+\.\d+\.\d+$/);
      assert.deepEqual(
        new Set(sources),
        new Set(Array.from({ length: 16 }, (_, i) => `127.0.0.${2 + i}`)),
      );

      const sample = receiver.kept();
      assert.equal(sample.length, 1_000);
      const methods = new Map<string, number>();
      const transactionIds = new Set<string>();
      for (const datagram of sample) {
        const parsed = parseKrpc(new Uint8Array(datagram));
        assert.ok(parsed.ok, `rejected: ${parsed.ok ? '' : parsed.reason}`);
        const message = parsed.message;
        assert.equal(message.y, 'q');
        if (message.y !== 'q') continue;
        assert.notEqual(message.method, 'unknown');
        assert.equal(message.t.length, 2);
        assert.equal(message.args.id?.length, 20);
        methods.set(message.method, (methods.get(message.method) ?? 0) + 1);
        transactionIds.add(Buffer.from(message.t).toString('hex'));
        if (message.method === 'announce_peer') assert.ok(message.args.token.length >= 4);
      }
      for (const method of ['get_peers', 'find_node', 'ping', 'announce_peer']) {
        assert.ok((methods.get(method) ?? 0) > 0, `no ${method} in the sample`);
      }
      assert.ok((methods.get('get_peers') ?? 0) > (methods.get('find_node') ?? 0));
      assert.ok(transactionIds.size > 900, 'transaction ids vary');
    } finally {
      await receiver.close();
    }
  });

  it('pre-encodes a pool whose variable fields it can locate, with LT versions', () => {
    const pool = buildPool(2_000, 7);
    let lt = 0;
    for (const entry of pool) {
      assert.equal(entry.bytes.subarray(entry.tAt - 5, entry.tAt).toString('latin1'), '1:t2:');
      assert.equal(entry.bytes.subarray(entry.idAt - 5, entry.idAt).toString('latin1'), 'id20:');
      if (entry.keyAt >= 0) {
        assert.match(
          entry.bytes.subarray(entry.keyAt - 13, entry.keyAt).toString('latin1'),
          /(info_hash|target)20:$/,
        );
      }
      const parsed = parseKrpc(new Uint8Array(entry.bytes));
      assert.ok(parsed.ok);
      const v = parsed.message.v;
      if (v !== undefined && Buffer.from(v.subarray(0, 2)).toString('latin1') === 'LT') lt++;
    }
    assert.ok(lt > pool.length / 2, `only ${lt} LT versions`);
    assert.ok(DISTINCT_IDS === 100_000);
  });

  it('refuses any target outside 127.0.0.0/8, in the options and as a process', () => {
    assert.throws(() => parseOptions(['--target', '10.0.0.1:6881']), RangeError);
    assert.throws(() => parseOptions(['--target', '127.0.0.1:6881,192.168.1.1:6881']), RangeError);
    assert.throws(() => parseOptions(['--target', 'localhost:6881']), RangeError);
    assert.throws(() => parseOptions([]), RangeError);
    assert.throws(() => parseOptions(['--target', '127.0.0.1:1', '--sources', '251']), RangeError);
    const options = parseOptions(['--target', '127.0.0.1:6881,127.9.9.9:7000', '--count', '5']);
    assert.deepEqual(options.targets, [
      { address: '127.0.0.1', port: 6881 },
      { address: '127.9.9.9', port: 7000 },
    ]);
    assert.equal(options.seconds, Number.POSITIVE_INFINITY);
    const child = spawnSync(process.execPath, [BLASTER, '--target', '1.1.1.1:53'], {
      encoding: 'utf8',
    });
    assert.equal(child.status, 2);
    assert.match(child.stderr, /not 127\.x\.x\.x:port/);
    assert.equal(child.stdout, '');
  });
});

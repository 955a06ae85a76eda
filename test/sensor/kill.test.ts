/**
 * `kill -9` of a running `dhtscope antenna`, then a restart: every query it
 * received more than one second before the kill is in the store exactly
 * once. Each query carries its sequence number as its transaction id.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeKrpc } from '../../src/protocol/krpc/index.ts';
import { MIN_HEAP_LIMIT_MB } from '../../src/sensor/config.ts';
import { StoreReader } from '../../src/store/index.ts';
import { KrpcClient } from '../helpers/krpc-client.ts';
import { freeUdpPorts } from '../helpers/ports.ts';

const BIN = new URL('../../bin/dhtscope.js', import.meta.url).pathname;

function startAntenna(dataDir: string, port: number, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'antenna',
      '--data-dir',
      dataDir,
      '--bind',
      '127.0.0.1',
      '--ports',
      String(port),
      '--ids-per-port',
      '1',
      '--bootstrap',
      '127.0.0.1:9',
      '--no-status',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('"antenna started"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`antenna exited with ${code}: ${err}`)));
  });
}

describe('antenna: kill -9', () => {
  it('loses nothing received more than a second before the kill, and stores nothing twice', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dhtscope-kill-'));
    const dataDir = join(root, 'data');
    const [port] = await freeUdpPorts(1);
    const sender = await KrpcClient.open('127.0.0.3');
    const sentAt: number[] = [];
    try {
      const child = await startAntenna(dataDir, port!);
      // The antenna restarted itself with a heap ceiling, keeping its pid (execve).
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(cmdline.includes(`--max-old-space-size=${MIN_HEAP_LIMIT_MB}`), cmdline.join(' '));
      const id = new Uint8Array(20).fill(3);
      const t = new Uint8Array(4);
      const view = new DataView(t.buffer);
      const until = Date.now() + 2500;
      while (Date.now() < until) {
        for (let i = 0; i < 10; i++) {
          view.setUint32(0, sentAt.length);
          sender.send(encodeKrpc({ t, y: 'q', method: 'ping', args: { id } }), port!);
          sentAt.push(Date.now());
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      const killedAt = Date.now();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      // A restart converts what the killed process left in its journal.
      const again = await startAntenna(dataDir, port!, ['--duration', '0.2']);
      await new Promise((r) => again.once('exit', r));

      const mustHave = sentAt.filter((at) => at < killedAt - 1000).length;
      assert.ok(
        mustHave > 1000,
        `${mustHave} queries were sent more than a second before the kill`,
      );
      const reader = await StoreReader.open(dataDir);
      try {
        const { rows } = await reader.query(
          `SELECT count(*) AS n, count(DISTINCT txid) AS d,
             count(*) FILTER (WHERE ('0x' || txid)::BIGINT < ${mustHave}) AS early
           FROM events WHERE kind = 'ping' AND remote_ip = '127.0.0.3'`,
        );
        assert.equal(rows[0]!.n, rows[0]!.d, 'no query stored twice');
        assert.equal(Number(rows[0]!.early), mustHave, 'every query older than a second is stored');
      } finally {
        reader.close();
      }
    } finally {
      await sender.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

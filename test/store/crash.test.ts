/**
 * A writer killed with SIGKILL at random moments, restarted each time: every
 * event generated more than one second before a kill is in the store exactly
 * once. The writer reports how far it has generated; the test remembers the
 * last report older than 1.1 s at each kill and demands all events up to it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seededRandomBytes } from '../../src/protocol/random.ts';
import { StoreReader } from '../../src/store/index.ts';

const CHILD = new URL('./writer-child.ts', import.meta.url).pathname;

interface Report {
  at: number;
  seq: number;
}

function startWriter(dataDir: string, firstSeq: number, reports: Report[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD, dataDir, String(firstSeq)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === 'ready') resolve(child);
        else if (line.startsWith('gen '))
          reports.push({ at: Date.now(), seq: Number(line.slice(4)) });
        newline = buffered.indexOf('\n');
      }
    });
    child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
}

describe('store: crash safety', () => {
  it('SIGKILL at random points loses nothing older than one second, and duplicates nothing', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'dhtscope-crash-')), 'data');
    const rng = seededRandomBytes(0xc4a5);
    const rounds: { start: number; safe: number }[] = [];
    let nextSeq = 0;
    try {
      for (let round = 0; round < 5; round++) {
        const reports: Report[] = [];
        const child = await startWriter(dataDir, nextSeq, reports);
        await new Promise((r) => setTimeout(r, 1400 + (rng(1)[0]! / 255) * 1600));
        const killedAt = Date.now();
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        const safe = reports.filter((r) => r.at < killedAt - 1100).at(-1);
        assert.ok(safe !== undefined, 'the writer reported progress before the kill');
        rounds.push({ start: nextSeq, safe: safe.seq });
        // Each run numbers its events in its own range, so a number seen twice is a stored duplicate.
        nextSeq = (round + 1) * 10_000_000;
      }
      // One last clean run converts what the last kill left behind.
      const reports: Report[] = [];
      const child = await startWriter(dataDir, nextSeq, reports);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));

      const reader = await StoreReader.open(dataDir);
      try {
        const { rows } = await reader.query(
          'SELECT count(*) AS n, count(DISTINCT announce_port) AS distinct_n FROM events',
        );
        assert.equal(rows[0]!.n, rows[0]!.distinct_n, 'no event is stored twice');
        for (const { start, safe } of rounds) {
          const missing = await reader.query(
            `SELECT count(*) AS n FROM range(${start}, ${safe + 1}) r(s) ANTI JOIN events ON events.announce_port = r.s`,
          );
          assert.equal(
            Number(missing.rows[0]!.n),
            0,
            `events ${start}..${safe} (generated > 1 s before a kill) are all stored`,
          );
        }
        const total = Number(rows[0]!.n);
        assert.ok(
          total > rounds.reduce((sum, r) => sum + (r.safe - r.start + 1), 0) * 0.99,
          `${total} events stored`,
        );
      } finally {
        reader.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

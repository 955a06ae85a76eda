/**
 * Readers while a writer writes and rotates every 200 ms: queries never fail
 * (no lock errors, no vanished files), and what they count never goes down.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StoreReader } from '../../src/store/index.ts';

const CHILD = new URL('./writer-child.ts', import.meta.url).pathname;
const BIN = new URL('../../bin/dhtscope.js', import.meta.url).pathname;

describe('store: readers beside a writer', () => {
  it('sql runs concurrently with a writer that rotates constantly, without errors', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'dhtscope-conc-')), 'data');
    const writer = spawn(process.execPath, [CHILD, dataDir, '0', '3000', '200'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    writer.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      while (!output.includes('ready')) await new Promise((r) => setTimeout(r, 20));
      const reader = await StoreReader.open(dataDir);
      let previous = -1;
      let queries = 0;
      try {
        while (!output.includes('closed')) {
          const { rows } = await reader.query(
            'SELECT count(*) AS n, count(DISTINCT announce_port) AS d FROM events',
          );
          const n = Number(rows[0]!.n);
          assert.ok(n >= previous, `count went down from ${previous} to ${n}`);
          assert.equal(n, Number(rows[0]!.d), 'no row counted twice during a rotation');
          previous = n;
          queries++;
        }
      } finally {
        reader.close();
      }
      assert.ok(queries >= 10, `only ${queries} queries ran`);
      // The CLI, a separate process, sees the final state.
      const cli = spawnSync(
        process.execPath,
        [BIN, 'sql', 'SELECT count(*) AS n FROM events', '--json', '--data-dir', dataDir],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(cli.status, 0, cli.stderr);
      const last = Number(/closed (\d+)/.exec(output)![1]);
      assert.equal(
        Number((JSON.parse(cli.stdout) as { n: string }[])[0]!.n),
        last + 1,
        'every event written is readable',
      );
    } finally {
      writer.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

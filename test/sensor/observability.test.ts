import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Antenna } from '../../src/sensor/antenna.ts';
import { resolveConfig } from '../../src/sensor/config.ts';
import { silentLogger } from '../../src/sensor/log.ts';
import { runCli } from '../helpers/cli.ts';
import { freeUdpPorts } from '../helpers/ports.ts';

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('antenna observability', () => {
  it('serves Prometheus metrics and writes system_metrics that dhtscope metrics shows', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dhtscope-obs-'));
    const dataDir = join(root, 'data');
    const metricsPort = await freeTcpPort();
    const antenna = await Antenna.start(
      resolveConfig(
        {},
        {
          dataDir,
          bind: '127.0.0.1',
          ports: await freeUdpPorts(2),
          idsPerPort: 1,
          bootstrap: ['127.0.0.1:9'],
          metricsPort,
          metricsIntervalSeconds: 1,
          enrichment: { builtin: false },
        },
        'test',
      ),
      { log: silentLogger },
    );
    try {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
      const text = await response.text();
      assert.match(text, /^dhtscope_identities 2$/m);
      assert.match(text, /^# TYPE dhtscope_datagrams_received_total counter$/m);
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);
      await new Promise((r) => setTimeout(r, 1300)); // one metrics interval
    } finally {
      await antenna.stop();
    }
    try {
      const { code, stdout } = await runCli(['metrics', '--json', '--data-dir', dataDir]);
      assert.equal(code, 0);
      const rows = JSON.parse(stdout) as { samples: string; cpu_pct: number }[];
      assert.equal(rows.length, 1, 'one hour of metrics');
      assert.ok(Number(rows[0]!.samples) >= 2, 'a row per interval, and one at stop');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

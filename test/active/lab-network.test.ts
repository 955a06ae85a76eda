/**
 * `dhtscope lab network`: the standing lab the active tools and the tutorial
 * bootstrap from. It prints where to bootstrap and what it holds, and that
 * is true while it runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run } from '../../src/cli/main.ts';
import { runCli } from '../helpers/cli.ts';

describe('dhtscope lab network', () => {
  it('prints a bootstrap address and swarms that lookup then finds, and stops after --duration', async () => {
    let first: (line: string) => void = () => {};
    const printed = new Promise<string>((resolve) => {
      first = resolve;
    });
    const running = run(
      [
        'lab',
        'network',
        '--nodes',
        '40',
        '--port',
        '0',
        '--address',
        '127.66.0.1',
        '--swarms',
        '2',
        '--duration',
        '3',
        '--json',
      ],
      { out: (text) => first(text), err: () => {}, readStdin: async () => new Uint8Array() },
    );
    const lab = JSON.parse(await printed) as {
      bootstrap: string;
      nodes: number;
      swarms: { infohash: string; peers: string[] }[];
      stored: string[];
    };
    assert.equal(lab.nodes, 40);
    assert.match(lab.bootstrap, /^127\.66\.0\.1:\d+$/);
    assert.equal(lab.swarms.length, 2);
    assert.equal(lab.stored.length, 2 + 40);
    const swarm = lab.swarms[1]!;
    const lookup = await runCli([
      'lookup',
      swarm.infohash,
      '--bootstrap',
      lab.bootstrap,
      '--bind',
      '127.0.0.1',
      '--json',
    ]);
    assert.equal(lookup.code, 0, lookup.stderr);
    const peers = (JSON.parse(lookup.stdout) as { peers: { address: string; port: number }[] })
      .peers;
    assert.deepEqual(peers.map((p) => `${p.address}:${p.port}`).sort(), [...swarm.peers].sort());
    assert.equal(await running, 0);
  });

  it('refuses an address outside loopback', async () => {
    const bad = await runCli(['lab', 'network', '--address', '10.0.0.1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /127\.0\.0\.0\/8/);
  });
});

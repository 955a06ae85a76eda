/**
 * `dhtscope lookup` against a lab network of our own engine on loopback:
 * it finds exactly the peers the lab announced for each infohash, and
 * nothing for an infohash nobody announced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseInfohash } from '../../src/active/infohash.ts';
import { LabNetwork } from '../../src/lab/network.ts';
import { nodeIdToHex } from '../../src/protocol/kademlia/index.ts';
import { runCli } from '../helpers/cli.ts';

describe('dhtscope lookup on a lab network', () => {
  let lab: LabNetwork;
  let bootstrap: string;

  before(async () => {
    lab = await LabNetwork.start({
      nodes: 80,
      port: 0,
      firstAddress: '127.61.0.1',
      swarms: 4,
      peersPerSwarm: 5,
      seed: 61,
    });
    bootstrap = `${lab.bootstrap.address}:${lab.bootstrap.port}`;
  });
  after(() => lab.close());

  it('finds exactly the peers the lab announced, for every swarm', async () => {
    for (const swarm of lab.swarms) {
      const run = await runCli([
        'lookup',
        nodeIdToHex(swarm.infoHash),
        '--bootstrap',
        bootstrap,
        '--bind',
        '127.0.0.1',
        '--json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /active tool/);
      const result = JSON.parse(run.stdout) as {
        peers: { address: string; port: number }[];
        queried: number;
        hops: number;
      };
      const found = result.peers.map((p) => `${p.address}:${p.port}`).sort();
      const announced = swarm.peers.map((p) => `${p.address}:${p.port}`).sort();
      assert.deepEqual(found, announced);
      assert.ok(result.queried > 0 && result.hops >= 1);
    }
  });

  it('prints peers as they arrive, then a summary; finds none for an unknown infohash', async () => {
    const swarm = lab.swarms[0]!;
    const run = await runCli([
      'lookup',
      `magnet:?xt=urn:btih:${nodeIdToHex(swarm.infoHash)}&dn=x`,
      '--bootstrap',
      bootstrap,
      '--bind',
      '127.0.0.1',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.match(/^peer /gm)?.length, swarm.peers.length);
    assert.match(
      run.stdout,
      new RegExp(
        `^${swarm.peers.length} peers · \\d+ nodes queried \\(\\d+ answered\\) · \\d+ hops`,
        'm',
      ),
    );
    const none = await runCli([
      'lookup',
      'ff'.repeat(20),
      '--bootstrap',
      bootstrap,
      '--bind',
      '127.0.0.1',
      '--json',
    ]);
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual((JSON.parse(none.stdout) as { peers: unknown[] }).peers, []);
  });

  it('refuses bad input with a clear error', async () => {
    const bad = await runCli(['lookup', 'not-a-hash', '--bootstrap', bootstrap]);
    assert.equal(bad.code, 2, 'an argument that does not parse is a usage error');
    assert.match(bad.stderr, /not an infohash/);
    const badBootstrap = await runCli(['lookup', 'ab'.repeat(20), '--bootstrap', 'nowhere']);
    assert.equal(badBootstrap.code, 2);
    assert.match(badBootstrap.stderr, /host:port/);
  });
});

describe('dhtscope lookup on a dual-stack lab network', () => {
  let lab: LabNetwork;
  before(async () => {
    lab = await LabNetwork.start({
      nodes: 30,
      port: 0,
      firstAddress: '127.67.0.1',
      swarms: 2,
      peersPerSwarm: 3,
      ipv6: true,
      seed: 67,
    });
  });
  after(() => lab.close());

  it('asks for both families (BEP 32) and finds the IPv4 and the IPv6 peers', async () => {
    const swarm = lab.swarms[0]!;
    const bootstrap = `${lab.bootstrap.address}:${lab.bootstrap.port}`;
    const run = await runCli([
      'lookup',
      nodeIdToHex(swarm.infoHash),
      '--bootstrap',
      bootstrap,
      '--bind',
      '127.0.0.1',
      '--bind6',
      '::1',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      peers: { address: string; port: number }[];
      closest: { address: string }[];
    };
    const found = result.peers.map((p) => `${p.address}|${p.port}`).sort();
    assert.deepEqual(found, swarm.peers.map((p) => `${p.address}|${p.port}`).sort());
    assert.ok(
      found.some((p) => p.startsWith('::1|')) && found.some((p) => p.startsWith('127.67.')),
    );
    assert.ok(
      result.closest.some((n) => n.address === '::1'),
      'the IPv6 walk ran',
    );
  });
});

describe('parseInfohash', () => {
  it('reads hex, base32 and magnet links, and says why anything else is not one', () => {
    const hex = '0123456789abcdef0123456789abcdef01234567';
    const fromHex = parseInfohash(hex.toUpperCase());
    assert.ok(fromHex.ok && nodeIdToHex(fromHex.infoHash) === hex);
    // base32 of the same 20 bytes (RFC 4648).
    const fromBase32 = parseInfohash('AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH');
    assert.ok(fromBase32.ok && nodeIdToHex(fromBase32.infoHash) === hex);
    const fromMagnet = parseInfohash(`magnet:?dn=a&xt=urn:btih:${hex}`);
    assert.ok(fromMagnet.ok && nodeIdToHex(fromMagnet.infoHash) === hex);
    const noHash = parseInfohash('magnet:?dn=a');
    assert.ok(!noHash.ok && /xt=urn:btih/.test(noHash.reason));
    assert.equal(parseInfohash('abc').ok, false);
  });
});

/**
 * `dhtscope estimate` against a lab network of 500 nodes of our own engine:
 * the estimate of the DHT's size lands within ±10 % of the truth, and its
 * confidence interval holds the estimate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { distanceFraction, estimateSize } from '../../src/active/estimate.ts';
import { openActive } from '../../src/active/setup.ts';
import { LabNetwork } from '../../src/lab/network.ts';
import { seededRandomBytes } from '../../src/protocol/random.ts';
import { runCli } from '../helpers/cli.ts';

describe('dhtscope estimate on a 500-node lab', () => {
  let lab: LabNetwork;
  let bootstrap: string;

  before(async () => {
    lab = await LabNetwork.start({
      nodes: 500,
      port: 0,
      firstAddress: '127.63.0.1',
      swarms: 0,
      stored: 0,
      seed: 63,
    });
    bootstrap = `${lab.bootstrap.address}:${lab.bootstrap.port}`;
  });
  after(() => lab.close());

  it('estimates the size within ±10 %', async () => {
    const opened = await openActive({
      bootstrap: [bootstrap],
      bind: '127.0.0.1',
      // A fast budget keeps the test short; the defaults are for the real DHT.
      politeness: { perAddress: 20, global: 3000 },
    });
    assert.ok(opened.ok);
    try {
      const result = await estimateSize({
        querier: opened.setup.queriers[4]!,
        bootstrap: opened.setup.bootstrap,
        lookups: 160,
        // Not the lab's seed: targets equal to node ids would sit on top of nodes.
        random: seededRandomBytes(9_063),
      });
      const truth = lab.nodes.length;
      assert.ok(
        Math.abs(result.estimate - truth) <= 0.1 * truth,
        `estimated ${result.estimate} for ${truth}`,
      );
      assert.ok(result.low < result.estimate && result.estimate < result.high);
      assert.equal(result.lookups, 160);
    } finally {
      await opened.setup.close();
    }
  });

  it('prints the estimate with its interval as JSON', async () => {
    const run = await runCli([
      'estimate',
      '--bootstrap',
      bootstrap,
      '--bind',
      '127.0.0.1',
      '--lookups',
      '8',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /active tool/);
    const result = JSON.parse(run.stdout) as {
      estimate: number;
      low: number;
      high: number;
      lookups: number;
      k: number;
    };
    assert.equal(result.lookups, 8);
    assert.equal(result.k, 8);
    // Eight lookups are a rough estimate; it is still the right order of magnitude.
    assert.ok(result.estimate > 100 && result.estimate < 2500, `estimated ${result.estimate}`);
    assert.ok(result.low <= result.estimate && result.estimate <= result.high);
  });

  it('measures XOR distance as a fraction of the key space', () => {
    const zero = new Uint8Array(20);
    const half = new Uint8Array(20);
    half[0] = 0x80;
    assert.equal(distanceFraction(zero, half), 0.5);
    const quarterPlus = new Uint8Array(20);
    quarterPlus[0] = 0x40;
    quarterPlus[1] = 0x80;
    assert.equal(distanceFraction(zero, quarterPlus), 0.25 + 1 / 512);
  });
});

/**
 * `compute` as a whole on the small lab scenario: the steps that run beside
 * the operator profiles (or begin early) still come in their turn, show
 * their progress only from then on, and the run writes what the steps write
 * one by one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ANALYSIS_STEPS, compute } from '../../src/analysis/compute.ts';
import { resolveScenario } from '../../src/lab/builtin-scenarios.ts';
import { writeTrace } from '../../src/lab/trace.ts';
import { buildWorld } from '../../src/lab/world.ts';
import { StoreReader } from '../../src/store/index.ts';
import { runCli } from '../helpers/cli.ts';
import { storeOfEvents } from '../helpers/events.ts';

describe('compute', () => {
  let root: string;
  let reader: StoreReader;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'dhtscope-compute-'));
    await writeTrace(buildWorld(resolveScenario('small').scenario), root);
    reader = await StoreReader.open(root);
  });
  after(() => {
    reader.close();
    rmSync(root, { recursive: true, force: true });
  });

  const text = async (table: string) =>
    JSON.stringify((await reader.query(`SELECT * FROM ${table} ORDER BY ALL`)).rows, (_, v) =>
      typeof v === 'bigint' ? String(v) : v,
    );
  const beside = ['keyspace', 'daily summaries', 'hash profiles'];

  it('runs every step in its turn; steps run beside show progress only from their turn', async () => {
    const log: string[] = [];
    const result = await compute(reader, {
      onStep: (step) => log.push(`step ${step.name}`),
      onProgress: (step) => log.push(`progress ${step.name}`),
    });
    assert.deepEqual(
      result.steps.map((s) => s.name),
      ANALYSIS_STEPS.map((s) => s.name),
    );
    for (const step of ANALYSIS_STEPS) {
      const turn = log.indexOf(`step ${step.name}`);
      const first = log.indexOf(`progress ${step.name}`);
      assert.ok(turn >= 0, step.name);
      if (first >= 0) assert.ok(first > turn, `${step.name}: progress before its turn`);
    }
    for (const name of beside) {
      const step = ANALYSIS_STEPS.find((s) => s.name.startsWith(name))!;
      assert.ok(log.includes(`progress ${step.name}`), `${name} shows where it stands`);
    }
  });

  it('writes what the steps write when run one by one', async () => {
    // Keyspace tallies begin on the operator reader's columns and the fleet view's scan of the
    // events is done ahead in a compute run: alone, each step does its own work.
    const tables = [
      'keyspace_heatmap',
      'keyspace_scanners',
      'prefix_entropy',
      'prefix_families',
      'operators',
      'hash_behavior_profiles',
      'fingerprints',
    ];
    const together = await Promise.all(tables.map(text));
    for (const [i, rows] of together.entries())
      assert.notEqual(rows, '[]', `${tables[i]} has rows`);
    for (const step of ANALYSIS_STEPS.filter((s) => s.tables.some((t) => tables.includes(t.name))))
      await step.run({ reader, config: {}, onProgress: () => {} });
    assert.deepEqual(await Promise.all(tables.map(text)), together);
  });
});

describe('compute on a store that holds no events yet', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('writes every table empty, and the report says the store was empty', async () => {
    // A sensor that has heard nothing yet leaves such a store: the first compute a user runs.
    const reader = await storeOfEvents([], roots, 'dhtscope-compute-empty-');
    const dataDir = reader.layout.root;
    reader.close();
    const computed = await runCli(['compute', '--data-dir', dataDir]);
    assert.equal(computed.code, 0, computed.stderr);
    const report = await runCli(['report', '--data-dir', dataDir]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /over no events \(the store was empty\)/);
    assert.doesNotMatch(report.stdout, /not computed yet/);
    const days = await runCli([
      'sql',
      '--data-dir',
      dataDir,
      '--json',
      'SELECT count(*) AS n FROM daily_summaries',
    ]);
    assert.deepEqual(JSON.parse(days.stdout), [{ n: '0' }]);
  });
});

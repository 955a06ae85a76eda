/**
 * A Parquet file of the store cut short (a full disk, a copy interrupted):
 * every command that reads it names the file and what to do, exit 1, no
 * stack trace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveScenario } from '../../src/lab/builtin-scenarios.ts';
import { writeTrace } from '../../src/lab/trace.ts';
import { buildWorld } from '../../src/lab/world.ts';
import { runCli } from '../helpers/cli.ts';

function parquetUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => join(dir, f));
}

describe('a damaged file in the store', () => {
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'dhtscope-damaged-'));
    await writeTrace(buildWorld(resolveScenario('small').scenario), root);
    const computed = await runCli(['compute', '--data-dir', root]);
    assert.equal(computed.code, 0, computed.stderr);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a computed table: named, with compute as the way out', async () => {
    const table = join(root, 'tables', 'operator_profiles.parquet');
    truncateSync(table, Math.floor(statSync(table).size / 2));
    const run = await runCli(['report', '--data-dir', root]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /operator_profiles\.parquet is damaged and cannot be read/);
    assert.match(run.stderr, /hint: delete it: `dhtscope compute` writes/);
    assert.doesNotMatch(run.stderr, /internal error/);
    rmSync(table);
    const again = await runCli(['compute', '--data-dir', root]);
    assert.equal(again.code, 0, again.stderr);
  });

  it('a part of the events: named by report, export and compute', async () => {
    const [part] = parquetUnder(join(root, 'events'));
    assert.ok(part !== undefined, 'the trace wrote Parquet parts');
    truncateSync(part, 100);
    for (const argv of [
      ['report'],
      ['export', '--out', join(root, 'out.csv'), '--format', 'csv'],
      ['compute'],
    ]) {
      const run = await runCli([...argv, '--data-dir', root]);
      assert.equal(run.code, 1, `${argv[0]}: ${run.stderr}`);
      assert.ok(run.stderr.includes(`${part} is damaged`), run.stderr);
      assert.match(run.stderr, /hint: move the file out of the data directory/);
    }
  });
});

/**
 * `compute` and `report` over a fixed store: the small lab scenario written
 * by the trace generator (same seed, same events, on every machine), reports
 * compared with checked-in snapshots. Times are UTC by construction; the
 * freshness line ("computed 3 s ago") is the one part that moves and is
 * normalised.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { matchSnapshot } from '../helpers/snapshot.ts';

process.env.TZ = 'UTC';
const root = mkdtempSync(join(tmpdir(), 'dhtscope-report-'));
const dataDir = join(root, 'data');
after(() => rmSync(root, { recursive: true, force: true }));

const stable = (text: string) =>
  text.replace(/computed \d+ (s|min|h|days) ago/g, 'computed (time) ago');

async function report(...args: string[]): Promise<string> {
  const run = await runCli(['report', '--data-dir', dataDir, ...args]);
  assert.equal(run.code, 0, run.stderr);
  return stable(run.stdout);
}

describe('compute and report over a trace of the small scenario', () => {
  before(async () => {
    const trace = await runCli(['lab', 'trace', '--scenario', 'small', '--data-dir', dataDir]);
    assert.equal(trace.code, 0, trace.stderr);
  });

  it('says a report is not computed yet before compute runs', async () => {
    const text = await report('--operators');
    assert.match(text, /not computed yet: operators\. Run `dhtscope compute` first\./);
    const json = JSON.parse(await report('--operators', '--json')) as {
      freshness: { computed: boolean }[];
      sections: unknown[];
    };
    assert.equal(json.freshness[0]!.computed, false);
    assert.deepEqual(json.sections, []);
  });

  it('computes every table and records it in the catalog', async () => {
    const run = await runCli(['compute', '--data-dir', dataDir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      events: number;
      steps: { name: string; result: { rows: Record<string, number> } }[];
    };
    assert.ok(result.events > 1000);
    const rows = Object.assign({}, ...result.steps.map((s) => s.result.rows)) as Record<
      string,
      number
    >;
    assert.ok(rows.operator_profiles! > 50, `operator_profiles ${rows.operator_profiles}`);
    assert.equal(rows.operators, 5, 'one row per network of the small scenario');
    assert.ok(existsSync(join(dataDir, 'tables', 'catalog.json')));
  });

  it('prints the summary, the fleet view, a deep-dive, campaigns, coordination and clusters (snapshots)', async () => {
    matchSnapshot('report-summary', await report('--limit', '8'));
    matchSnapshot('report-operators', await report('--operators'));
    matchSnapshot('report-operator', await report('--operator', 'AS64522', '--limit', '5'));
    matchSnapshot('report-campaigns', await report('--campaigns'));
    matchSnapshot('report-coordination', await report('--coordination', '--limit', '6'));
    matchSnapshot('report-clustering', await report('--clustering'));
  });

  it('gives the same rows as JSON and CSV, and honours --limit and the window', async () => {
    const json = JSON.parse(await report('--operator-profiles', '--json', '--limit', '7')) as {
      sections: { columns: string[]; rows: Record<string, unknown>[] }[];
    };
    const csv = (await report('--operator-profiles', '--csv', '--limit', '7')).trim().split('\n');
    assert.equal(json.sections[0]!.rows.length, 7);
    assert.equal(csv.length, 8);
    assert.equal(csv[0], json.sections[0]!.columns.join(','));
    const later = JSON.parse(
      await report('--operator-profiles', '--json', '--since', '2026-01-06'),
    ) as { sections: { rows: unknown[] }[] };
    assert.equal(later.sections[0]!.rows.length, 0, 'the small scenario ends on 2026-01-05');
  });

  it('refuses contradictory or malformed options with a hint', async () => {
    for (const [args, message] of [
      [['--operators', '--campaigns'], /choose one report/],
      [['--json', '--csv'], /cannot be combined/],
      [['--operator', 'ASX'], /is not an ASN/],
      [['--hash', 'abc'], /is not an infohash/],
      [['--out', 'x.png'], /--out goes with --heatmap/],
      [['--heatmap', '--out', 'heatmap.jpg'], /written as \.png or \.svg/],
      [['--heatmap', '--out', join(dataDir, 'no-such-folder', 'h.png')], /there is no folder/],
      [['--limit', '0'], /not a whole number from 1 to 1000000/],
      [['--limit', '99999999999999999999'], /not a whole number from 1/],
    ] as const) {
      const run = await runCli(['report', '--data-dir', dataDir, ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}`);
      assert.match(run.stderr, message);
    }
  });
});

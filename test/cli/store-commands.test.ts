import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Duck, EVENTS, type EventRecord, Journal, openDataDir } from '../../src/store/index.ts';
import { runCli } from '../helpers/cli.ts';
import { makeEvents } from '../helpers/events.ts';

const root = mkdtempSync(join(tmpdir(), 'dhtscope-cli-store-'));
const dataDir = join(root, 'data');
const NOW_US = Date.now() * 1000;
const HOUR_US = 3_600_000_000;

before(async () => {
  const journal = await Journal.open<EventRecord>(openDataDir(dataDir, { create: true }), EVENTS);
  for (const e of makeEvents(100, NOW_US - 3 * HOUR_US, 1_000_000)) journal.append(e); // 3 h ago
  for (const e of makeEvents(50, NOW_US - HOUR_US / 2, 1_000_000, 2, 1000)) journal.append(e); // 30 min ago
  await journal.close();
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('dhtscope sql', () => {
  it('prints a table, JSON or CSV', async () => {
    const query = 'SELECT count(*) AS n FROM events';
    const table = await runCli(['sql', query, '--data-dir', dataDir]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /│ 150 │/);
    assert.match(table.stdout, /1 row/);
    const json = await runCli(['sql', query, '--json', '--data-dir', dataDir]);
    assert.deepEqual(JSON.parse(json.stdout), [{ n: '150' }]);
    const csv = await runCli([
      'sql',
      "SELECT org FROM events WHERE org LIKE 'Ex%' LIMIT 1",
      '--csv',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(csv.stdout, 'org\n"Example, ""Quoted"" Org"\n');
  });

  it("knows the source documents' table name and the derived tables, even empty", async () => {
    const { code, stdout } = await runCli([
      'sql',
      'SELECT (SELECT count(*) FROM dht_events) AS e, (SELECT count(*) FROM daily_summaries) AS d',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), [{ e: '150', d: '0' }]);
  });

  it('asks for one statement: none, or several, is a usage error; bad syntax a failed query', async () => {
    for (const [query, code, pattern] of [
      ['', 2, /the query is empty/],
      ['/* only a comment */', 2, /the query is empty/],
      ['SELECT 1; SELECT 2', 2, /the query holds 2 statements/],
      ['SELEC 1', 1, /query failed: Parser Error: syntax error at or near "SELEC"/],
    ] as const) {
      const run = await runCli(['sql', query, '--data-dir', dataDir]);
      assert.equal(run.code, code, query);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, '');
    }
  });

  it('the DHTSCOPE_DATA_DIR environment variable stands in for --data-dir', async () => {
    process.env.DHTSCOPE_DATA_DIR = dataDir;
    try {
      const { code, stdout } = await runCli(['sql', 'SELECT count(*) AS n FROM events', '--json']);
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(stdout), [{ n: '150' }]);
    } finally {
      delete process.env.DHTSCOPE_DATA_DIR;
    }
    // Set but empty (DHTSCOPE_DATA_DIR= in a script) would otherwise mean the working directory.
    process.env.DHTSCOPE_DATA_DIR = '';
    try {
      const empty = await runCli(['report']);
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /DHTSCOPE_DATA_DIR' is invalid\. it is empty/);
    } finally {
      delete process.env.DHTSCOPE_DATA_DIR;
    }
  });

  it('explains a bad query, a missing data directory and conflicting flags', async () => {
    const bad = await runCli(['sql', 'SELECT * FROM nowhere', '--data-dir', dataDir]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /query failed: .*nowhere/);
    assert.match(bad.stderr, /hint: views are events/);
    const missing = await runCli(['sql', 'SELECT 1', '--data-dir', join(root, 'nope')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no data directory at .*nope[\s\S]*hint:/);
    const both = await runCli(['sql', 'SELECT 1', '--json', '--csv', '--data-dir', dataDir]);
    assert.equal(both.code, 2);
    const rows = await runCli(['sql', 'SELECT 1', '--max-rows', '0', '--data-dir', dataDir]);
    assert.equal(rows.code, 2);
  });
});

describe('dhtscope export', () => {
  it('writes Parquet and CSV for a time range', async () => {
    const parquet = join(root, 'recent.parquet');
    const result = await runCli([
      'export',
      '--since',
      '1h',
      '--out',
      parquet,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote 50 events/);
    const duck = await Duck.open();
    try {
      const [row] = await duck.rows(
        `SELECT count(*) AS n, min(announce_port) AS first FROM read_parquet('${parquet}')`,
      );
      assert.equal(Number(row!.n), 50);
      assert.equal(Number(row!.first), 1000);
    } finally {
      duck.close();
    }
    const csv = join(root, 'old.csv');
    const old = await runCli([
      'export',
      '--until',
      '2h',
      '--format',
      'csv',
      '--out',
      csv,
      '--data-dir',
      dataDir,
    ]);
    assert.equal(old.code, 0, old.stderr);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines.length, 101, 'a header and 100 rows');
    assert.ok(lines[0]!.startsWith('ts,sensor_port,sensor_id'));
    assert.ok(!existsSync(`${csv}.partial`));
  });

  it('refuses bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [['export', '--out', 'x', '--format', 'xml'], /--format "xml" is not supported/],
      [['export', '--out', 'x', '--since', 'yesterday'], /--since "yesterday" is not a time/],
      [['export', '--out', 'x', '--since', '1h', '--until', '2h'], /--since must be earlier/],
      [['export'], /required option '--out <file>'/],
      [['metrics', '--json', '--csv'], /--json and --csv cannot be combined/],
      // The file is checked before any work: a missing folder, a folder, nothing at all.
      [['export', '--out', join(dataDir, 'no-such-folder', 'x.csv')], /there is no folder/],
      [['export', '--out', dataDir], /is a directory/],
      [['export', '--out', ''], /--out is empty/],
    ];
    for (const [argv, pattern] of cases) {
      const { code, stderr } = await runCli([...argv, '--data-dir', dataDir]);
      assert.equal(code, 2, argv.join(' '));
      assert.match(stderr, pattern);
    }
  });
});

describe('dhtscope retention', () => {
  it('reports what it did as JSON', async () => {
    const { code, stdout } = await runCli(['retention', '--json', '--data-dir', dataDir]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), {
      summarised: [],
      deletedEventDays: [],
      deletedMetricDays: [],
    });
    for (const days of ['0', '200000000']) {
      const bad = await runCli(['retention', '--events-days', days, '--data-dir', dataDir]);
      assert.equal(bad.code, 2, days);
      assert.match(bad.stderr, /--events-days \d+ is not a whole number from 1 to 36500/);
    }
  });

  it('a duration reaching back before 1970 means from the beginning', async () => {
    const all = await runCli([
      'sql',
      '--json',
      '--data-dir',
      dataDir,
      'SELECT count(*) AS n FROM events',
    ]);
    const out = join(dataDir, '..', 'all-since-forever.csv');
    const run = await runCli([
      'export',
      '--out',
      out,
      '--format',
      'csv',
      '--since',
      '99999999999d',
      '--data-dir',
      dataDir,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`wrote ${(JSON.parse(all.stdout) as { n: string }[])[0]!.n} events`),
    );
    const metrics = await runCli(['metrics', '--since', '99999999999w', '--data-dir', dataDir]);
    assert.equal(metrics.code, 0, metrics.stderr);
  });
});

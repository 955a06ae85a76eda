import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { labeledScenarioPcap } from '../helpers/capture-scenario.ts';
import { runCli } from '../helpers/cli.ts';

describe('dhtscope pcap', () => {
  let dir: string;
  let pcap: string;
  let labels: string;
  let bytes: Uint8Array;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-pcap-'));
    const scenario = labeledScenarioPcap();
    bytes = scenario.bytes;
    pcap = join(dir, 'lab.pcap');
    labels = join(dir, 'lab.labels.json');
    writeFileSync(pcap, bytes);
    writeFileSync(labels, JSON.stringify(scenario.labels));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('analyze: the plain detector flags BitTorrent hosts, suppression and PPR keep only the scanners', async () => {
    const run = await runCli(['pcap', 'analyze', pcap, '--labels', labels, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const a = JSON.parse(run.stdout);
    assert.deepEqual(a.alarms, { plain: 7, suppressed: 2, ppr: 2 });
    assert.equal(a.confusion.plain.bittorrentAlarmed, 5);
    assert.equal(a.confusion.suppressed.bittorrentFpRate, 0);
    assert.deepEqual(a.confusion.suppressed.scannersLost, []);
    assert.equal(a.confusion.ppr.tp, 2);
    const bt = a.hosts.find((h: { host: string }) => h.host === '10.9.0.2');
    assert.equal(bt.failed, 110);
    assert.equal(bt.predicted, 110);
    assert.deepEqual(bt.sources, { dht: 110 });
    assert.deepEqual(bt.btUdpKinds, ['dht']);
    assert.equal(bt.verdicts.plain.alarm, true);
    assert.match(bt.verdicts.plain.explanation, /peer-like scan/);
    assert.match(
      bt.verdicts.suppressed.explanation,
      /110 of 110 failed attempts \(100 %\) went to learned peers \(dht 110\)/,
    );
    const horizontal = a.hosts.find((h: { host: string }) => h.host === '10.66.0.2');
    assert.equal(horizontal.verdicts.ppr.window.kind, 'horizontal');
    const vertical = a.hosts.find((h: { host: string }) => h.host === '10.66.0.3');
    assert.equal(vertical.verdicts.ppr.window.kind, 'vertical');
    assert.equal(vertical.verdicts.ppr.window.victim, '172.21.0.9');
    assert.ok(a.roc.length > 0);
    assert.equal(a.connections.SF, 3);
  });

  it('analyze: terminal tables, CSV, gzip input and stdin agree', async () => {
    const gz = join(dir, 'lab.pcap.gz');
    writeFileSync(gz, gzipSync(bytes));
    const table = await runCli(['pcap', 'analyze', gz, '--labels', labels]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /pcap \(gzip\)/);
    assert.match(table.stdout, /Alarms: plain 7, suppressed 2, ppr 2/);
    assert.match(table.stdout, /BitTorrent FP/);
    const csv = await runCli(['pcap', 'analyze', '-', '--csv'], bytes);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = csv.stdout.trim().split('\n');
    assert.match(rows[0]!, /^host,label,connections,failed/);
    assert.ok(rows.some((r) => r.startsWith('10.66.0.3,,200,200,1,200,')));
    const stdinGz = await runCli(['pcap', 'analyze', '-', '--json'], gzipSync(bytes));
    assert.deepEqual(JSON.parse(stdinGz.stdout).alarms, { plain: 7, suppressed: 2, ppr: 2 });
  });

  it('analyze: --preset zeek, --threshold and --window', async () => {
    const zeek = JSON.parse(
      (await runCli(['pcap', 'analyze', pcap, '--preset', 'zeek', '--json'])).stdout,
    );
    assert.equal(zeek.config.hostThreshold, 25);
    assert.equal(
      zeek.hosts.find((h: { host: string }) => h.host === '10.66.0.2').verdicts.plain.window
        .trigger,
      'hosts-on-port',
    );
    const strict = JSON.parse(
      (await runCli(['pcap', 'analyze', pcap, '--threshold', '500', '--json'])).stdout,
    );
    assert.deepEqual(strict.alarms, { plain: 0, suppressed: 0, ppr: 0 });
    const tiny = JSON.parse(
      (await runCli(['pcap', 'analyze', pcap, '--window', '0.01s', '--json'])).stdout,
    );
    assert.equal(tiny.config.window, 10_000);
    assert.ok(tiny.alarms.plain < 7);
    const day = JSON.parse(
      (await runCli(['pcap', 'analyze', pcap, '--window', '1d', '--json'])).stdout,
    );
    assert.equal(day.config.window, 86_400_000_000);
    const bad = await runCli(['pcap', 'analyze', pcap, '--window', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--window "soon" is not a duration/);
  });

  it('analyze --roc-out writes an SVG and a PNG', async () => {
    for (const name of ['roc.svg', 'roc.png']) {
      const out = join(dir, name);
      const run = await runCli(['pcap', 'analyze', pcap, '--labels', labels, '--roc-out', out]);
      assert.equal(run.code, 0, run.stderr);
      if (name.endsWith('.svg'))
        assert.match(readFileSync(out, 'utf8'), /<svg[\s\S]*polyline[\s\S]*ppr/);
      else {
        const png = PNG.sync.read(readFileSync(out));
        assert.equal(png.width, 640);
      }
    }
    const noLabels = await runCli(['pcap', 'analyze', pcap, '--roc-out', join(dir, 'x.svg')]);
    assert.equal(noLabels.code, 2);
  });

  it('a truncated capture reports what was read and exits 1 naming the offset', async () => {
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const run = await runCli(['pcap', 'analyze', cut, '--json']);
    assert.equal(run.code, 1);
    const a = JSON.parse(run.stdout);
    assert.ok(a.files[0].frames > 100);
    assert.match(a.files[0].error.message, /truncated.*record \d+, byte offset \d+/);
    assert.match(run.stderr, /cut\.pcap: truncated/);
    const corrupt = join(dir, 'corrupt.pcap.gz');
    writeFileSync(corrupt, gzipSync(bytes).subarray(0, 2000));
    const gz = await runCli(['pcap', 'analyze', corrupt]);
    assert.equal(gz.code, 1);
    assert.match(gz.stderr, /gzip|truncated/);
    const missing = await runCli(['pcap', 'analyze', join(dir, 'nope.pcap')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot open/);
  });

  it('a real process streams a gzip capture from its standard input', () => {
    const main = join(import.meta.dirname, '../../src/cli/main.ts');
    const script = `const { run } = await import(${JSON.stringify(main)}); process.exitCode = await run(process.argv.slice(1));`;
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script, 'pcap', 'analyze', '-', '--json'],
      {
        input: gzipSync(bytes),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const a = JSON.parse(child.stdout);
    assert.equal(a.files[0].name, '-');
    assert.equal(a.files[0].compressed, true);
    assert.deepEqual(a.alarms, { plain: 7, suppressed: 2, ppr: 2 });
  });

  it('peers lists the predictions with their source', async () => {
    const run = await runCli(['pcap', 'peers', pcap, '--csv']);
    assert.equal(run.code, 0, run.stderr);
    const rows = run.stdout.trim().split('\n');
    assert.equal(rows[0], 'ts,host,peer,port,source,contact');
    assert.equal(rows.length, 1 + 5 * 120);
    assert.match(rows[1]!, /,10\.9\.0\.2,203\.0\.0\.1,10000,dht,peer$/);
    const json = JSON.parse((await runCli(['pcap', 'peers', pcap, '--json'])).stdout);
    assert.equal(json.length, 600);
  });
});

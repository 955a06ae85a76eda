/**
 * `dhtscope pcap` on bad input and bad options: a directory for a capture, a
 * gzip file cut short, the hint only when there are results, records numbered
 * as each format counts them, one output format, and an --roc-out checked
 * before any capture is read.
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import { openCapture } from '../../src/capture/input.ts';
import { readCapture } from '../../src/capture/read-captures.ts';
import { CaptureReader } from '../../src/capture/reader.ts';
import { runCli } from '../helpers/cli.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/capture');
const PCAP = join(FIXTURES, 'bt-lab.head.ns.pcap');
const PCAPNG = join(FIXTURES, 'bt-lab.head.pcapng');
const LABELS = join(FIXTURES, 'bt-lab.labels.json');
const RESULTS_HINT = /hint: the results above cover everything before that point/;

/** Complete frames in `bytes`, as the reader counts them (the cut record is not one). */
function framesIn(bytes: Uint8Array): number {
  const reader = new CaptureReader({ frame() {} });
  reader.push(bytes);
  return reader.frames;
}

/** Byte offset of the `n`th packet record (0-based) of a classic pcap. */
function recordOffset(bytes: Uint8Array, n: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 24;
  for (let i = 0; i < n; i++) at += 16 + view.getUint32(at + 8, true);
  return at;
}

describe('dhtscope pcap: bad input', () => {
  let dir: string;
  let pcap: Uint8Array;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-pcap-errors-'));
    pcap = readFileSync(PCAP);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory given as a capture is refused by name, as a missing file is', async () => {
    const run = await runCli(['pcap', 'analyze', dir]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cannot open .*: is a directory, not a capture file/);
    assert.ok(run.stderr.includes(dir));
    assert.doesNotMatch(run.stderr, /internal error|EISDIR/);
    const missing = await runCli(['pcap', 'analyze', join(dir, 'nope.pcap')]);
    assert.equal(missing.code, run.code);
  });

  it('a cut gzip capture is analyzed as far as it decompresses, and the error says so', async () => {
    const gz = gzipSync(pcap);
    const cut = join(dir, 'cut.pcap.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    // What a gzip reader still gets out of the cut file.
    const decompressed = gunzipSync(gz.subarray(0, Math.floor(gz.length / 2)), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    const frames = framesIn(decompressed);
    assert.ok(frames > 100, `${frames} frames decompress`);
    const run = await runCli(['pcap', 'analyze', cut, '--json']);
    assert.equal(run.code, 1);
    const file = JSON.parse(run.stdout).files[0];
    assert.equal(file.frames, frames);
    assert.equal(file.bytes, decompressed.length);
    assert.equal(file.error.record, frames + 1);
    assert.match(
      file.error.message,
      new RegExp(
        `^gzip stream truncated: the decompressed capture ends at byte offset ${decompressed.length}, \\d+ bytes into this record \\(record ${frames + 1}, byte offset \\d+\\)$`,
      ),
    );
    assert.match(run.stderr, RESULTS_HINT);
  });

  it('a gzip capture cut inside its header says so without a hint', async () => {
    const cut = join(dir, 'tiny.pcap.gz');
    writeFileSync(cut, gzipSync(pcap).subarray(0, 30));
    const run = await runCli(['pcap', 'analyze', cut]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /gzip stream truncated after \d+ bytes, too few for a capture header/);
    assert.doesNotMatch(run.stderr, RESULTS_HINT);
  });

  it('the results hint comes only when frames were read before the error', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, new Uint8Array(0));
    const text = join(dir, 'text.pcap');
    writeFileSync(text, 'GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    const firstCut = join(dir, 'first-cut.pcap');
    writeFileSync(firstCut, pcap.subarray(0, 24 + 10));
    for (const file of [empty, text, firstCut]) {
      const run = await runCli(['pcap', 'analyze', file]);
      assert.equal(run.code, 1, file);
      assert.match(run.stderr, /error: /);
      assert.doesNotMatch(run.stderr, RESULTS_HINT, file);
    }
    const late = join(dir, 'late-cut.pcap');
    writeFileSync(late, pcap.subarray(0, recordOffset(pcap, 10) + 20));
    const run = await runCli(['pcap', 'analyze', late]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, RESULTS_HINT);
  });

  it('classic pcap numbers packets from record 1, pcapng blocks from the section header', async () => {
    const firstCut = join(dir, 'first.pcap');
    writeFileSync(firstCut, pcap.subarray(0, 24 + 10));
    const first = await runCli(['pcap', 'analyze', firstCut]);
    assert.match(first.stderr, /into this record \(record 1, byte offset 24\)/);
    const tenth = recordOffset(pcap, 9);
    const tenthCut = join(dir, 'tenth.pcap');
    writeFileSync(tenthCut, pcap.subarray(0, tenth + 20));
    const run = await runCli(['pcap', 'analyze', tenthCut, '--json']);
    const file = JSON.parse(run.stdout).files[0];
    assert.equal(file.frames, 9);
    assert.equal(file.error.record, 10);
    assert.match(file.error.message, new RegExp(`\\(record 10, byte offset ${tenth}\\)$`));
    // pcapng: section header, interface block, then packet blocks.
    const ng = readFileSync(PCAPNG);
    const ngCut = join(dir, 'cut.pcapng');
    writeFileSync(ngCut, ng.subarray(0, 5000));
    const ngRun = await runCli(['pcap', 'analyze', ngCut, '--json']);
    const ngFile = JSON.parse(ngRun.stdout).files[0];
    assert.equal(ngFile.error.record, ngFile.frames + 3);
    assert.match(
      ngFile.error.message,
      new RegExp(`into this block \\(block ${ngFile.frames + 3}, byte offset \\d+\\)$`),
    );
    assert.doesNotMatch(ngFile.error.message, /record/);
  });

  it('a capture that turns out corrupt or foreign is closed, gzip or not (Linux /proc)', async () => {
    // A captured length beyond reason early on, in a file that takes gunzip more than one write.
    const bad = pcap.slice();
    new DataView(bad.buffer, bad.byteOffset).setUint32(recordOffset(bad, 5) + 8, 0x7fffffff, true);
    const gz = join(dir, 'corrupt.pcap.gz');
    writeFileSync(gz, gzipSync(bad));
    // Refused at its first chunk.
    const text = join(dir, 'foreign.pcap');
    writeFileSync(text, 'GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    // A file left open is closed in the end by the garbage collector, with a warning.
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    for (const [path, frames, reason] of [
      [gz, 5, /captured length/],
      [text, 0, /not a pcap or pcapng file/],
    ] as const) {
      const result = await readCapture(openCapture(path), new CaptureAnalyzer({}));
      assert.equal(result.frames, frames);
      assert.match(result.error?.message ?? '', reason);
      const openOnIt = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === path;
          } catch {
            return false;
          }
        }).length;
      for (let waited = 0; openOnIt() > 0 && waited < 2000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(openOnIt(), 0, `${path} is still open`);
    }
    process.off('warning', onWarning);
    assert.deepEqual(
      warnings.filter((w) => /garbage collection/.test(w)),
      [],
    );
  });
});

describe('dhtscope pcap: options checked before reading', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dhtscope-pcap-options-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ['analyze', 'peers', 'conns']) {
    it(`pcap ${command} refuses --json with --csv`, async () => {
      const run = await runCli(['pcap', command, PCAP, '--json', '--csv']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--json and --csv cannot be combined/);
      assert.match(run.stderr, /hint: choose one output format/);
      assert.equal(run.stdout, '');
    });
  }

  // The capture named does not exist: a refusal with exit 2 shows --roc-out was checked first.
  const analyze = (rocOut: string) =>
    runCli(['pcap', 'analyze', join(dir, 'none.pcap'), '--labels', LABELS, '--roc-out', rocOut]);

  it('--roc-out in a missing directory is refused before any capture is read', async () => {
    const run = await analyze(join(dir, 'missing', 'roc.svg'));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--roc-out ".*roc\.svg": there is no folder .*missing/);
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const underFile = await analyze(join(file, 'roc.svg'));
    assert.equal(underFile.code, 2, underFile.stderr);
    assert.match(underFile.stderr, /plain-file is not a folder/);
  });

  it('--roc-out naming a directory is refused before any capture is read', async () => {
    const svgDir = join(dir, 'roc.svg');
    mkdirSync(svgDir);
    for (const target of [svgDir, dir]) {
      const run = await analyze(target);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /--roc-out ".*" is a directory/);
      assert.doesNotMatch(run.stderr, /internal error|EISDIR/);
    }
  });

  it('--roc-out with another extension names the ones allowed', async () => {
    const run = await analyze(join(dir, 'r.jpg'));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--roc-out ".*r\.jpg" must end in \.svg or \.png/);
  });

  it('a labels file with a misspelt key, a missing list or a non-address is refused', async () => {
    for (const [labels, pattern] of [
      [
        { bittorrent: [], scanners: ['10.0.0.9'] },
        /unknown key "scanners" \(keys: bittorrent, scanner, other\)/,
      ],
      [{ bittorrent: ['10.0.0.2'] }, /"scanner" is missing/],
      [
        { bittorrent: ['10.0.0.2'], scanner: ['host-9'] },
        /"host-9" in "scanner" is not an IPv4 or IPv6 address/,
      ],
      [['10.0.0.2'], /the file must hold one JSON object/],
    ] as const) {
      const file = join(dir, 'labels.json');
      writeFileSync(file, JSON.stringify(labels));
      const run = await runCli(['pcap', 'analyze', PCAP, '--labels', file]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, '', 'refused before any capture is read');
    }
  });
});

/**
 * Acceptance on the labeled lab capture (real BitTorrent clients, a real
 * tracker, real scanners; test/fixtures/capture/README.md): at the classic
 * threshold the plain detector flags most BitTorrent hosts, suppression
 * brings their false positives to ≤ 2 % with no scanner lost, and PPR to 0 %;
 * the ROC curves do not cross.
 *
 * "Do not cross", precisely: at every threshold N of the grid, each mode is
 * at least as good as the one before it in the order plain → suppressed → ppr
 * on both axes (TPR not lower, FPR not higher). Points of one threshold are
 * then ordered on both axes, so no segment of a later curve can pass below
 * the earlier one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CaptureAnalyzer } from '../../src/capture/analyzer.ts';
import { BitTorrentExtractor } from '../../src/capture/bittorrent/index.ts';
import { openCapture } from '../../src/capture/input.ts';
import { type PcapAnalysis, summarize } from '../../src/capture/pcap-analysis.ts';
import { readCapture } from '../../src/capture/read-captures.ts';
import { CaptureReader } from '../../src/capture/reader.ts';
import { PRESETS, SCAN_MODES } from '../../src/capture/scan-config.ts';
import type { HostLabels } from '../../src/capture/types.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/capture');
const labels = JSON.parse(readFileSync(join(FIXTURES, 'bt-lab.labels.json'), 'utf8')) as HostLabels;

async function analyze(file: string): Promise<PcapAnalysis> {
  const analyzer = new CaptureAnalyzer({ createExtractor: (p) => new BitTorrentExtractor(p) });
  const result = await readCapture(openCapture(join(FIXTURES, file)), analyzer);
  assert.equal(result.error, undefined, result.error?.message);
  return summarize(analyzer, [result], PRESETS.bro, labels);
}

describe('acceptance on bt-lab (12 BitTorrent hosts, 4 scanners)', async () => {
  const a = await analyze('bt-lab.pcap');
  const c = a.confusion!;

  it('plain, at N = 100: flags most BitTorrent hosts and every scanner', () => {
    assert.ok(
      c.plain.bittorrentAlarmed > c.plain.bittorrentHosts / 2,
      `${c.plain.bittorrentAlarmed}/${c.plain.bittorrentHosts}`,
    );
    assert.equal(c.plain.bittorrentHosts, 12);
    assert.equal(c.plain.tp, 4);
  });

  it('suppressed: BitTorrent false positives ≤ 2 %, no scanner lost', () => {
    assert.ok(c.suppressed.bittorrentFpRate <= 0.02, `${c.suppressed.bittorrentAlarmed}/12`);
    assert.deepEqual(c.suppressed.scannersLost, []);
    assert.equal(c.suppressed.tp, 4);
  });

  it('ppr: BitTorrent false positives 0 %, no scanner lost', () => {
    assert.equal(c.ppr.bittorrentAlarmed, 0);
    assert.deepEqual(c.ppr.scannersLost, []);
    assert.equal(c.ppr.tp, 4);
  });

  it('the ROC curves do not cross: ppr ≥ suppressed ≥ plain at every threshold', () => {
    const roc = a.roc!;
    const thresholds = [...new Set(roc.map((r) => r.threshold))];
    assert.ok(thresholds.length >= 20);
    for (const n of thresholds) {
      const at = SCAN_MODES.map((mode) => roc.find((r) => r.threshold === n && r.mode === mode)!);
      for (let i = 1; i < at.length; i++) {
        assert.ok(at[i]!.tpr >= at[i - 1]!.tpr, `N=${n}: TPR ${at[i]!.mode} < ${at[i - 1]!.mode}`);
        assert.ok(at[i]!.fpr <= at[i - 1]!.fpr, `N=${n}: FPR ${at[i]!.mode} > ${at[i - 1]!.mode}`);
      }
    }
  });

  it("agrees with the generator's own count (bt-lab.summary.md) on attempts and failures per host", () => {
    // Counted from the capture by the fixture's generator with tshark, cross-checked with tcpdump.
    const rows = readFileSync(join(FIXTURES, 'bt-lab.summary.md'), 'utf8')
      .split('\n')
      .filter((line) => /^\| \d/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    assert.equal(rows.length, 16);
    for (const [, host, , attempts, established, , , distinctFailed, distinctPorts] of rows) {
      const h = a.hosts.find((x) => x.host === host);
      assert.ok(h !== undefined, host);
      assert.equal(h.connections, Number(attempts), `${host} attempts`);
      assert.equal(h.connections - h.failed, Number(established), `${host} established`);
      assert.equal(h.distinctFailedHosts, Number(distinctFailed), `${host} distinct failed hosts`);
      assert.equal(h.distinctFailedPorts, Number(distinctPorts), `${host} distinct failed ports`);
    }
  });

  it('the head files (ns pcap, pcapng, gzip) give identical results, equal to the first 4,000 packets', async () => {
    const heads = await Promise.all(
      ['bt-lab.head.ns.pcap', 'bt-lab.head.pcapng', 'bt-lab.head.pcap.gz'].map(analyze),
    );
    const strip = (x: PcapAnalysis) => ({
      ...x,
      files: x.files.map((f) => ({ frames: f.frames })),
    });
    assert.equal(heads[0]!.files[0]!.frames, 4000);
    assert.deepEqual(strip(heads[1]!), strip(heads[0]!));
    assert.deepEqual(strip(heads[2]!), strip(heads[0]!));
    // The first 4,000 records of the whole capture.
    const whole = readFileSync(join(FIXTURES, 'bt-lab.pcap'));
    let end = 24;
    for (let i = 0; i < 4000; i++) end += 16 + whole.readUInt32LE(end + 8);
    const analyzer = new CaptureAnalyzer({ createExtractor: (p) => new BitTorrentExtractor(p) });
    const reader = new CaptureReader(analyzer);
    reader.push(new Uint8Array(whole.subarray(0, end)));
    reader.end();
    const first = summarize(analyzer, [], PRESETS.bro, labels);
    assert.deepEqual({ ...first, files: [] }, { ...heads[0]!, files: [] });
  });
});

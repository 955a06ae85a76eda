import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailedAttempts } from '../../src/capture/attempts.ts';
import { confusion, rocCurve } from '../../src/capture/evaluation.ts';
import { PredictionStore, sourceBit } from '../../src/capture/predictions.ts';
import { PRESETS, type ScanMode } from '../../src/capture/scan-config.ts';
import { detectScans } from '../../src/capture/scan-detector.ts';

const SEC = 1_000_000;
const SCANNER = 1;
const VERTICAL = 2;
const BLOCK = 3;
const BT = 4;
const BT_HALF = 5;
const SLOW = 6;
const DHT = sourceBit('dht');

/** Destination ids start at 1000; the same id is the same host for every source. */
function build(): FailedAttempts {
  const a = new FailedAttempts();
  for (let i = 0; i < 150; i++) a.push(SCANNER, 1000 + i, 22, i * 0.2 * SEC, 0);
  for (let p = 0; p < 150; p++) a.push(VERTICAL, 5000, 1 + p, p * 0.1 * SEC, 1);
  for (let i = 0; i < 120; i++)
    for (let p = 0; p < 3; p++) a.push(BLOCK, 2000 + i, 100 + i * 3 + p, i * SEC, 0);
  for (let i = 0; i < 150; i++) {
    a.push(BT, 3000 + i, 10000 + i * 7, i * 2 * SEC, 0);
    a.predicted[a.length - 1] = DHT;
  }
  for (let i = 0; i < 300; i++) {
    a.push(BT_HALF, 4000 + i, 20000 + i * 11, i * SEC, 0);
    if (i % 2 === 0) a.predicted[a.length - 1] = DHT;
  }
  for (let i = 0; i < 150; i++) a.push(SLOW, 6000 + i, 22, i * 60 * SEC, 0);
  return a;
}

function run(mode: ScanMode, preset = PRESETS.bro) {
  const a = build();
  return new Map(detectScans(a, a.orderBySourceAndTime(), preset, mode).map((o) => [o.src, o]));
}

describe('scan detector, bro preset', () => {
  it('plain: flags horizontal, vertical and block scans and the BitTorrent hosts, tells the kinds apart', () => {
    const r = run('plain');
    assert.equal(r.get(SCANNER)!.alarm?.kind, 'horizontal');
    assert.equal(r.get(SCANNER)!.alarm?.trigger, 'hosts');
    assert.equal(r.get(SCANNER)!.alarm?.distinctHosts, 100);
    assert.equal(r.get(VERTICAL)!.alarm?.kind, 'vertical');
    assert.equal(r.get(VERTICAL)!.alarm?.trigger, 'ports-on-host');
    assert.equal(r.get(BLOCK)!.alarm?.kind, 'block');
    assert.equal(r.get(BT)!.alarm?.kind, 'peer-like');
    assert.ok(r.get(BT_HALF)!.alarm !== undefined);
    assert.equal(
      r.get(SLOW)!.alarm,
      undefined,
      '150 hosts over 2.5 h never reach 100 within 15 min',
    );
    assert.ok(r.get(SLOW)!.peakHosts <= 16);
  });

  it('suppressed: predicted attempts do not count; unpredicted ones still do', () => {
    const r = run('suppressed');
    assert.equal(r.get(BT)!.alarm, undefined);
    assert.equal(r.get(BT)!.excluded, 150);
    assert.equal(r.get(BT)!.peakHosts, 0);
    assert.ok(r.get(BT_HALF)!.alarm !== undefined, '150 unpredicted peers remain');
    for (const s of [SCANNER, VERTICAL, BLOCK]) assert.ok(r.get(s)!.alarm !== undefined);
  });

  it('ppr: suppresses one-port-per-peer sources, keeps scanners', () => {
    const r = run('ppr');
    const half = r.get(BT_HALF)!;
    assert.equal(half.alarm, undefined);
    assert.ok(half.pprSuppressions > 0);
    assert.equal(half.firstPprSuppression!.ppr, 1);
    for (const s of [SCANNER, VERTICAL, BLOCK])
      assert.ok(r.get(s)!.alarm !== undefined, `source ${s}`);
  });

  it('the threshold and window are honoured exactly', () => {
    const a = new FailedAttempts();
    for (let i = 0; i < 99; i++) a.push(9, 1000 + i, 22, i * SEC, 0);
    a.push(9, 1000, 22, 99 * SEC, 0); // a repeat: still 99 distinct
    assert.equal(
      detectScans(a, a.orderBySourceAndTime(), PRESETS.bro, 'plain')[0]!.alarm,
      undefined,
    );
    a.push(9, 1099, 22, 100 * SEC, 0);
    const alarm = detectScans(a, a.orderBySourceAndTime(), PRESETS.bro, 'plain')[0]!.alarm;
    assert.equal(alarm?.ts, 100 * SEC);
    assert.equal(alarm?.distinctHosts, 100);
    const narrow = { ...PRESETS.bro, window: 50 * SEC };
    assert.equal(detectScans(a, a.orderBySourceAndTime(), narrow, 'plain')[0]!.alarm, undefined);
  });
});

describe('scan detector, zeek preset', () => {
  it('counts hosts per port (25) and ports per victim (15) within 5 minutes', () => {
    const a = new FailedAttempts();
    for (let i = 0; i < 30; i++) a.push(1, 1000 + i, 445, i * SEC, 0);
    for (let i = 0; i < 30; i++) a.push(2, 1000 + i, 1000 + i, i * SEC, 0);
    for (let p = 0; p < 20; p++) a.push(3, 1000, 1 + p, p * SEC, 0);
    const r = new Map(
      detectScans(a, a.orderBySourceAndTime(), PRESETS.zeek, 'plain').map((o) => [o.src, o]),
    );
    assert.equal(r.get(1)!.alarm?.trigger, 'hosts-on-port');
    assert.equal(r.get(1)!.alarm?.on, 445);
    assert.equal(r.get(1)!.alarm?.distinctHosts, 25);
    assert.equal(r.get(2)!.alarm, undefined, 'one host per port never reaches 25 on a port');
    assert.equal(r.get(3)!.alarm?.trigger, 'ports-on-host');
    assert.equal(r.get(3)!.alarm?.distinctPorts, 15);
  });
});

describe('predictions', () => {
  it('cover attempts from the time they were learned for their validity, by address and port', () => {
    const store = new PredictionStore(100);
    store.add(1, 2, 6881, 1000, DHT);
    store.add(1, 2, 6881, 1050, sourceBit('pex'));
    assert.equal(store.covering(1, 2, 6881, 999), 0, 'not before it was learned');
    assert.equal(store.covering(1, 2, 6881, 1000), DHT | sourceBit('pex'));
    assert.equal(
      store.covering(1, 2, 6881, 1150),
      DHT | sourceBit('pex'),
      'extended by the second',
    );
    assert.equal(store.covering(1, 2, 6881, 1151), 0);
    assert.equal(store.covering(1, 2, 6882, 1000), 0, 'another port');
    assert.equal(store.covering(3, 2, 6881, 1000), 0, 'another learner');
    store.add(1, 2, 6881, 5000, DHT);
    assert.equal(store.covering(1, 2, 6881, 3000), 0);
    assert.equal(store.covering(1, 2, 6881, 5050), DHT | sourceBit('pex'));
  });
});

describe('prediction store bounds', () => {
  it('drops expired entries once full, keeps the valid ones', () => {
    const ttl = 1000;
    const store = new PredictionStore(ttl, 100);
    for (let i = 0; i < 100; i++) store.add(1, 1000 + i, 6881, 0, DHT);
    assert.equal(store.size, 100);
    // Long after the first hundred expired (beyond the 10-minute grace), fifty more arrive.
    const later = 11 * 60 * 1_000_000 + 2 * ttl;
    for (let i = 0; i < 50; i++) store.add(1, 5000 + i, 6881, later, DHT);
    assert.equal(store.pruned, 100);
    assert.equal(store.size, 50);
    assert.equal(store.covering(1, 5000, 6881, later + 10), DHT);
    assert.equal(store.learnedBy(1), 50);
  });
});

describe('evaluation', () => {
  it('confusion: scanners are positives, BitTorrent and other hosts negatives', () => {
    const labels = { bittorrent: ['b1', 'b2', 'b3', 'b4'], scanner: ['s1', 's2'], other: ['o1'] };
    const c = confusion(new Set(['s1', 'b1', 'o1']), labels, new Set(['s1', 's2']));
    assert.deepEqual(
      { tp: c.tp, fp: c.fp, tn: c.tn, fn: c.fn, bt: c.bittorrentFpRate, lost: c.scannersLost },
      { tp: 1, fp: 2, tn: 3, fn: 1, bt: 0.25, lost: ['s2'] },
    );
    assert.equal(c.tpr, 0.5);
    assert.equal(c.fpr, 2 / 5);
  });

  it('ROC: suppression and PPR never do worse than plain on this set', () => {
    const a = build();
    const names = new Map([
      [SCANNER, 'scan'],
      [VERTICAL, 'vert'],
      [BLOCK, 'block'],
      [BT, 'bt'],
      [BT_HALF, 'bt2'],
      [SLOW, 'slow'],
    ]);
    const labels = { bittorrent: ['bt', 'bt2'], scanner: ['scan', 'vert', 'block', 'slow'] };
    const points = rocCurve(
      a,
      a.orderBySourceAndTime(),
      PRESETS.bro,
      labels,
      [5, 50, 100, 200],
      (id) => names.get(id) ?? `${id}`,
    );
    assert.equal(points.length, 12);
    const at = (t: number, m: ScanMode) => points.find((p) => p.threshold === t && p.mode === m)!;
    for (const t of [5, 50, 100, 200]) {
      assert.ok(at(t, 'ppr').fpr <= at(t, 'suppressed').fpr);
      assert.ok(at(t, 'suppressed').fpr <= at(t, 'plain').fpr);
    }
    assert.equal(at(100, 'plain').bittorrentFpRate, 1);
    assert.equal(at(100, 'suppressed').bittorrentFpRate, 0.5);
    assert.equal(at(100, 'ppr').bittorrentFpRate, 0);
    assert.equal(at(100, 'ppr').tpr, 0.75);
    assert.equal(at(5, 'plain').tpr, 1, 'the slow scanner is caught at a low threshold');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FailedAttempts } from '../../src/capture/attempts.ts';
import {
  PRESETS,
  SCAN_MODES,
  type ScanConfig,
  type ScanMode,
} from '../../src/capture/scan-config.ts';
import {
  classifyScan,
  detectScans,
  type ScanOutcome,
  type ScanTrigger,
  type WindowCounts,
} from '../../src/capture/scan-detector.ts';

/** The detector's contract written the plain way: Maps (and Maps of Maps) of counts, rebuilt per source. */
function modelDetect(a: FailedAttempts, config: ScanConfig, mode: ScanMode): ScanOutcome[] {
  const order = [...Array(a.length).keys()].sort(
    (x, y) => a.src[x]! - a.src[y]! || a.ts[x]! - a.ts[y]! || x - y,
  );
  const bump = (m: Map<number, number>, k: number, by: number) => {
    const n = (m.get(k) ?? 0) + by;
    if (n === 0) m.delete(k);
    else m.set(k, n);
  };
  const nested = (m: Map<number, Map<number, number>>, o: number, k: number, by: number) => {
    const inner = m.get(o) ?? new Map<number, number>();
    m.set(o, inner);
    bump(inner, k, by);
    return inner.size;
  };
  const outcomes: ScanOutcome[] = [];
  let i = 0;
  while (i < order.length) {
    const source = a.src[order[i]!]!;
    const outcome: ScanOutcome = {
      src: source,
      alarm: undefined,
      pprSuppressions: 0,
      firstPprSuppression: undefined,
      excluded: 0,
      peakHosts: 0,
    };
    const window: number[] = [];
    const hosts = new Map<number, number>();
    const ports = new Map<number, number>();
    const hostsOnPort = new Map<number, Map<number, number>>();
    const portsOnHost = new Map<number, Map<number, number>>();
    for (; i < order.length && a.src[order[i]!] === source; i++) {
      const k = order[i]!;
      if (mode !== 'plain' && a.predicted[k] !== 0) {
        outcome.excluded++;
        continue;
      }
      if (outcome.alarm !== undefined) continue;
      while (window.length > 0 && a.ts[window[0]!]! < a.ts[k]! - config.window) {
        const old = window.shift()!;
        bump(hosts, a.dst[old]!, -1);
        bump(ports, a.port[old]!, -1);
        nested(hostsOnPort, a.port[old]!, a.dst[old]!, -1);
        nested(portsOnHost, a.dst[old]!, a.port[old]!, -1);
      }
      window.push(k);
      bump(hosts, a.dst[k]!, 1);
      bump(ports, a.port[k]!, 1);
      const onPort = nested(hostsOnPort, a.port[k]!, a.dst[k]!, 1);
      const portCount = nested(portsOnHost, a.dst[k]!, a.port[k]!, 1);
      const hostCount = config.hostsPerPort ? onPort : hosts.size;
      outcome.peakHosts = Math.max(outcome.peakHosts, hostCount);
      let trigger: ScanTrigger | undefined;
      if (hostCount >= config.hostThreshold)
        trigger = config.hostsPerPort ? 'hosts-on-port' : 'hosts';
      else if (portCount >= config.portThreshold) trigger = 'ports-on-host';
      if (trigger === undefined) continue;
      const counts: WindowCounts = {
        ts: a.ts[k]!,
        trigger,
        distinctHosts: hosts.size,
        distinctPorts: ports.size,
        ppr: ports.size / hosts.size,
        attempts: window.length,
        kind: classifyScan(hosts.size, ports.size),
        on: trigger === 'ports-on-host' ? a.dst[k]! : a.port[k]!,
      };
      if (mode === 'ppr' && counts.ppr >= config.pprLow && counts.ppr <= config.pprHigh) {
        outcome.pprSuppressions++;
        outcome.firstPprSuppression ??= counts;
        continue;
      }
      outcome.alarm = counts;
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

const SEC = 1_000_000;

const attemptArb = fc.record({
  src: fc.integer({ min: 0, max: 5 }),
  dst: fc.integer({ min: 0, max: 40 }),
  // Few ports, so pairs recur and both vertical and horizontal triggers are reached.
  port: fc.constantFrom(22, 80, 443, 445, 6881, 6882, 65535, 0),
  ts: fc.integer({ min: 0, max: 120 }).map((s) => s * SEC),
  predicted: fc.constantFrom(0, 0, 1, 4),
});

const configArb = fc.record({
  base: fc.constantFrom(PRESETS.bro, PRESETS.zeek),
  window: fc.integer({ min: 1, max: 60 }).map((s) => s * SEC),
  hostThreshold: fc.integer({ min: 1, max: 12 }),
  portThreshold: fc.integer({ min: 1, max: 6 }),
  hostsPerPort: fc.boolean(),
});

describe('scan detector against a plain model', () => {
  it('gives the same outcome per source, in every mode, over random attempts and settings', () => {
    fc.assert(
      fc.property(fc.array(attemptArb, { minLength: 0, maxLength: 300 }), configArb, (list, c) => {
        const a = new FailedAttempts();
        for (const x of list) a.push(x.src, x.dst, x.port, x.ts, 0, x.predicted);
        const config: ScanConfig = {
          ...c.base,
          window: c.window,
          hostThreshold: c.hostThreshold,
          portThreshold: c.portThreshold,
          hostsPerPort: c.hostsPerPort,
        };
        const order = a.orderBySourceAndTime();
        for (const mode of SCAN_MODES) {
          assert.deepEqual(detectScans(a, order, config, mode), modelDetect(a, config, mode));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the model when a source tries more pairs than the first pair table holds', () => {
    const a = new FailedAttempts();
    for (let k = 0; k < 3000; k++) {
      // 1,000 destinations × 3 ports, in a scrambled order over 50 minutes.
      const d = (k * 7919) % 1000;
      a.push(1, d, [80, 443, 6881][k % 3]!, ((k * 104729) % 3000) * SEC, 0, k % 5 === 0 ? 1 : 0);
    }
    a.push(2, 5, 80, 0, 0);
    const quiet = { hostThreshold: 5000, portThreshold: 5000 };
    for (const config of [
      PRESETS.bro,
      PRESETS.zeek,
      { ...PRESETS.bro, ...quiet },
      { ...PRESETS.zeek, ...quiet },
    ]) {
      for (const mode of SCAN_MODES) {
        assert.deepEqual(
          detectScans(a, a.orderBySourceAndTime(), config, mode),
          modelDetect(a, config, mode),
        );
      }
    }
  });

  it('one detector run serves many sources without carrying counts from one to the next', () => {
    // Two sources with the same destinations and ports: counts left over from the
    // first would push the second over the threshold.
    const a = new FailedAttempts();
    for (const source of [1, 2]) {
      for (let d = 0; d < 60; d++) a.push(source, 100 + d, 80, d * SEC, 0);
    }
    const config = { ...PRESETS.bro, hostThreshold: 100 };
    const outcomes = detectScans(a, a.orderBySourceAndTime(), config, 'plain');
    assert.deepEqual(
      outcomes.map((o) => [o.src, o.alarm, o.peakHosts]),
      [
        [1, undefined, 60],
        [2, undefined, 60],
      ],
    );
  });
});

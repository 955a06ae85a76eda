/**
 * The live detectors' cost and memory (sweeps, prefix walks, schedules): 5 M events from 200,000 addresses
 * (twice the addresses the detectors track) fed in-process as fast as they
 * go, heap measured after a full GC every million events. Goals (issue
 * "Analysis II"): memory flat under a 50,000 queries/s blast — the detectors
 * must keep up with far more than that, and their heap must stop growing
 * once the address table is full.
 */
import { LiveDetectors } from '../src/analysis/live/detectors.ts';
import { Rng } from '../src/lab/rng.ts';
import { toHex } from '../src/protocol/hex.ts';
import type { EventRecord } from '../src/store/schema.ts';
import type { BenchResult } from './harness.ts';

const EVENTS = 5_000_000;
const ADDRESSES = 200_000;
const SAMPLE_EVERY = 1_000_000;

export async function run(): Promise<BenchResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rng = new Rng(5);
  // A pool of targets, so the bench measures the detectors, not hex encoding.
  const targets = Array.from({ length: 65_536 }, () => toHex(rng.bytes(20)));
  const ips = Array.from(
    { length: ADDRESSES },
    (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
  );
  let clock = Date.parse('2026-01-05T00:00:00Z');
  const detectors = new LiveDetectors(() => clock);
  const heap: number[] = [];
  let alerts = 0;
  const event = { ts: 0, remoteIp: '', kind: 'get_peers', target: '' } as unknown as EventRecord;
  const started = performance.now();
  for (let i = 1; i <= EVENTS; i++) {
    clock += 0.02; // 50,000 events per second of sensor time
    event.ts = clock * 1000;
    event.remoteIp = ips[rng.int(ADDRESSES)]!;
    event.target = targets[rng.int(targets.length)]!;
    alerts += detectors.observe(event).length;
    if (i % SAMPLE_EVERY === 0) {
      gc?.();
      heap.push(process.memoryUsage().heapUsed / 2 ** 20);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const growth = heap.at(-1)! - heap[1]!;
  return {
    name: 'live detectors: 5 M events, 200 k addresses',
    lines: [
      `${Math.round(EVENTS / seconds).toLocaleString('en')} events/s through the detectors (goal: well above 50,000)`,
      `heap after each million (MB): ${heap.map((h) => h.toFixed(0)).join(', ')}; growth after the table filled: ${growth.toFixed(1)} MB ${Math.abs(growth) < 10 ? 'PASS (flat)' : 'MISS'}`,
      `tracked: ${detectors.tracked.sweeps.toLocaleString('en')} sweep and ${detectors.tracked.walks.toLocaleString('en')} walk addresses (bound 100,000 each), ${detectors.tracked.schedules.toLocaleString('en')} schedule pairs (bound 200,000); alerts on random traffic: ${alerts}`,
    ],
  };
}

/**
 * Sensor health: the counters the antenna keeps, sampled into one
 * system_metrics row per interval, plus the process's own CPU, memory,
 * event-loop delay, open files and free disk, and the kernel's count of UDP
 * datagrams it dropped on our sockets (the one loss the process itself
 * cannot see).
 */
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SystemMetrics } from '../store/schema.ts';

/** Counters the antenna increments; totals since start. */
export interface SensorCounters {
  received: number;
  recorded: number;
  bytesReceived: number;
  bytesSent: number;
  sent: number;
  blockedSends: number;
  /** Queries recorded but not answered because their sender exceeded its rate limit. */
  rateLimited: number;
  /** Events dropped (not recorded), by reason. */
  drops: Record<string, number>;
  malformed: Record<string, number>;
  queueDepth: number;
}

export function newCounters(): SensorCounters {
  return {
    received: 0,
    recorded: 0,
    bytesReceived: 0,
    bytesSent: 0,
    sent: 0,
    blockedSends: 0,
    rateLimited: 0,
    drops: {},
    malformed: {},
    queueDepth: 0,
  };
}

export function countDrop(counters: SensorCounters, reason: string): void {
  counters.drops[reason] = (counters.drops[reason] ?? 0) + 1;
}

export class MetricsSampler {
  private readonly loopDelay: ReturnType<typeof monitorEventLoopDelay>;
  private lastAt: number;
  private lastCpu: NodeJS.CpuUsage;
  private last: { recorded: number; bytesReceived: number; bytesSent: number; drops: number };
  private readonly dataDir: string;
  private readonly ports: readonly number[];

  constructor(dataDir: string, ports: readonly number[], counters: SensorCounters, nowMs: number) {
    this.dataDir = dataDir;
    this.ports = ports;
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
    this.lastAt = nowMs;
    this.lastCpu = process.cpuUsage();
    this.last = snapshot(counters);
  }

  /** One row covering the time since the previous sample. */
  sample(counters: SensorCounters, nowMs: number): SystemMetrics {
    const seconds = Math.max(0.001, (nowMs - this.lastAt) / 1000);
    const cpu = process.cpuUsage(this.lastCpu);
    const memory = process.memoryUsage();
    const current = snapshot(counters);
    const row: SystemMetrics = {
      ts: nowMs * 1000,
      cpuPercent: round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
      memoryMb: round(memory.rss / 1048576),
      heapMb: round(memory.heapUsed / 1048576),
      diskFreeGb: diskFreeGb(this.dataDir),
      networkBytesRecv: current.bytesReceived - this.last.bytesReceived,
      networkBytesSent: current.bytesSent - this.last.bytesSent,
      openFiles: openFiles(),
      eventLoopDelayMs: round(this.loopDelay.percentile(99) / 1e6),
      queueDepth: counters.queueDepth,
      eventsPerSecond: round((current.recorded - this.last.recorded) / seconds),
      drops: current.drops - this.last.drops,
    };
    this.loopDelay.reset();
    this.lastAt = nowMs;
    this.lastCpu = process.cpuUsage();
    this.last = current;
    return row;
  }

  /** UDP datagrams the kernel dropped on our ports (receive buffer full), from /proc/net/udp{,6}. */
  kernelDrops(): number | undefined {
    return kernelUdpDrops(this.ports);
  }

  close(): void {
    this.loopDelay.disable();
  }
}

function snapshot(c: SensorCounters) {
  return {
    recorded: c.recorded,
    bytesReceived: c.bytesReceived,
    bytesSent: c.bytesSent,
    drops: Object.values(c.drops).reduce((a, b) => a + b, 0),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function diskFreeGb(path: string): number | undefined {
  try {
    const s = statfsSync(path);
    return round((s.bavail * s.bsize) / 1e9);
  } catch {
    return undefined;
  }
}

function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** Sum of the "drops" column of /proc/net/udp and udp6 for sockets bound to `ports` (Linux only). */
export function kernelUdpDrops(ports: readonly number[]): number | undefined {
  const wanted = new Set(ports.map((p) => p.toString(16).toUpperCase().padStart(4, '0')));
  let total = 0;
  let seen = false;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    seen = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (local === undefined) continue;
      if (wanted.has(local.slice(local.lastIndexOf(':') + 1)))
        total += Number(cols[cols.length - 1] ?? 0);
    }
  }
  return seen ? total : undefined;
}

/**
 * A whole live lab run: the lab network, a real `dhtscope antenna` process
 * on 127.0.0.1 with the lab's overlay and clock, the actors, then a clean
 * stop of the sensor (which flushes and rotates its journal) and the ground
 * truth written beside the events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDataDir } from '../store/layout.ts';
import { writeGroundTruth } from './ground-truth.ts';
import { LiveLab, type LiveProgress, type LiveResult } from './live.ts';
import { writeOverlayCsv } from './overlay-file.ts';
import { refuseEarlierRun } from './run-dir.ts';
import { sensorIdSeed } from './sensor-plan.ts';
import { LAB_SENSOR_ADDRESS, type World } from './world.ts';

const DHTSCOPE_BIN = fileURLToPath(new URL('../../bin/dhtscope.js', import.meta.url));

/** The journal writer id of a lab's sensor. */
export const LAB_SENSOR_WRITER_ID = 'lab_antenna';

export type LiveStage = 'network' | 'sensor' | 'actors' | 'stopping';

export interface LiveRunOptions {
  onStage?: (stage: LiveStage, detail: string) => void;
  onProgress?: (progress: LiveProgress) => void;
  signal?: AbortSignal;
}

export interface LiveRunResult extends LiveResult {
  labNodes: number;
  meanRoutingTable: number;
  sensorIdentities: number;
  /** The sensor's last status line. */
  sensorStatus: string;
}

export async function runLive(
  world: World,
  dataDir: string,
  options: LiveRunOptions = {},
): Promise<LiveRunResult> {
  const layout = openDataDir(dataDir, { create: true });
  refuseEarlierRun(dataDir);
  const overlayPath = writeOverlayCsv(layout.root, world.overlay);
  const origin = Date.now();
  options.onStage?.('network', `${world.dhtNodes.length} DHT nodes`);
  const lab = await LiveLab.start(world, origin);
  let sensor: ChildProcess | undefined;
  try {
    const ports = await freeLoopbackPorts(world.scenario.sensor.ports);
    options.onStage?.('sensor', `antenna on ${LAB_SENSOR_ADDRESS} ports ${ports.join(',')}`);
    sensor = spawn(
      process.execPath,
      [
        DHTSCOPE_BIN,
        'antenna',
        '--data-dir',
        layout.root,
        '--bind',
        LAB_SENSOR_ADDRESS,
        '--ports',
        ports.join(','),
        '--ids-per-port',
        String(world.scenario.sensor.idsPerPort),
        ...lab.bootstrapAddresses().flatMap((b) => ['--bootstrap', b]),
        '--overlay',
        overlayPath,
        '--time-scale',
        String(world.scenario.timeScale),
        '--time-origin',
        new Date(origin).toISOString(),
        '--alerts',
        alertsPath(layout.root),
        '--id-seed',
        String(sensorIdSeed(world.scenario)),
        '--writer-id',
        LAB_SENSOR_WRITER_ID,
        '--log-level',
        'warn',
        '--no-status',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = collect(sensor);
    const sensorNodes = await Promise.race([
      lab.learnSensor(LAB_SENSOR_ADDRESS, ports),
      exited(sensor, output),
    ]);
    options.onStage?.(
      'actors',
      `${world.actors.length} actors, ${sensorNodes.length} sensor identities`,
    );
    const result = await lab.runActors(sensorNodes, {
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    options.onStage?.('stopping', 'flushing the sensor');
    const meanRoutingTable = lab.meanRoutingTableSize();
    sensor.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => sensor!.once('exit', resolve));
    if (code !== 0) throw new Error(`the lab's antenna exited with ${code}: ${output.err.trim()}`);
    writeGroundTruth(layout.root, {
      scenario: world.scenario.name,
      mode: 'live',
      labels: world.labels,
    });
    return {
      ...result,
      labNodes: lab.nodes.length,
      meanRoutingTable,
      sensorIdentities: sensorNodes.length,
      sensorStatus: output.out.trim().split('\n').at(-1) ?? '',
    };
  } finally {
    if (sensor !== undefined && sensor.exitCode === null) sensor.kill('SIGKILL');
    await lab.close();
  }
}

/** The live alerts of a lab run's antenna (JSON lines). */
export function alertsPath(dataDir: string): string {
  return join(dataDir, 'lab', 'alerts.jsonl');
}

function collect(child: ChildProcess): { out: string; err: string } {
  const output = { out: '', err: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.err += chunk;
  });
  return output;
}

function exited(child: ChildProcess, output: { err: string }): Promise<never> {
  return new Promise((_, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the lab's antenna exited early (${code}): ${output.err.trim()}`)),
    );
  });
}

/** Free UDP ports on the sensor's address, found by binding port 0 and releasing. */
async function freeLoopbackPorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, () => {
      const socket = createSocket('udp4');
      return new Promise<typeof socket>((resolve) =>
        socket.bind(0, LAB_SENSOR_ADDRESS, () => resolve(socket)),
      );
    }),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

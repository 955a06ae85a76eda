import { type Command, Option } from 'commander';
import { type Alert, LiveDetectors } from '../../analysis/live/detectors.ts';
import { type Clock, scaledClock, systemClock } from '../../dht/clock.ts';
import { Antenna, type AntennaStatus } from '../../sensor/antenna.ts';
import {
  type AntennaConfig,
  type AntennaConfigInput,
  heapFlags,
  heapLimitMb,
  RANGE,
} from '../../sensor/config.ts';
import { createLogger } from '../../sensor/log.ts';
import { ALERTS } from '../../store/datasets.ts';
import { Journal } from '../../store/journal.ts';
import { openDataDir } from '../../store/layout.ts';
import type { AlertRow, EventRecord } from '../../store/schema.ts';
import { type AlertSink, openAlertSink } from '../alert-sink.ts';
import { addDataDirOption } from '../data-dir.ts';
import { CliError, usageError } from '../errors.ts';
import { bootstrapOption, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { idsPerPortFlag, portsFlag, sensorConfig, startError } from '../sensor-flags.ts';
import { storeErrors } from '../store-errors.ts';
import { MAX_DURATION_SECONDS, untilStopped } from '../wait.ts';

interface AntennaFlags {
  config?: string;
  dataDir?: string;
  bind?: string;
  ports?: string;
  idsPerPort?: string;
  bootstrap?: string[];
  bep42Ids?: boolean;
  externalIp?: string;
  writerId?: string;
  metricsPort?: string;
  logLevel?: string;
  debug?: boolean;
  overlay?: string;
  maxmindAsn?: string;
  maxmindCity?: string;
  duration?: string;
  status?: boolean;
  timeScale?: string;
  timeOrigin?: string;
  idSeed?: string;
  alerts?: string;
  webhook?: string;
}

export function registerAntenna(program: Command, io: CliIo): void {
  const command = program
    .command('antenna')
    .description(
      'run the passive sensor: many DHT identities that record every query reaching them',
    )
    .option('--config <file>', 'JSON config file (keys in docs/sensor.md); flags override it')
    .option(
      '--bind <address>',
      'local address for every port: 0.0.0.0, ::, or one address (default 0.0.0.0)',
    )
    .option(
      '--ports <list>',
      'comma-separated UDP ports (default 6881,6882,6883,6969,6889,51413,51414,16881)',
    )
    .option(
      '--ids-per-port <n>',
      'node ids per port (default 1; the source documents run 16, see docs/sensor.md)',
    )
    .addOption(
      bootstrapOption(
        'bootstrap node, repeatable; when given, the public routers are not contacted',
      ),
    )
    .option(
      '--bep42-ids',
      'use only BEP 42-valid ids for --external-ip (fewer keyspace regions, see docs/sensor.md)',
    )
    .option(
      '--external-ip <ip>',
      'the address other nodes see this host at (needed by --bep42-ids)',
    )
    .option('--writer-id <id>', "names this sensor's files in the data directory (default antenna)")
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on 127.0.0.1:<port>/metrics (default off)',
    )
    .addOption(
      new Option('--log-level <level>', 'how much to log (default info)').choices([
        'error',
        'warn',
        'info',
        'debug',
      ]),
    )
    .option('--debug', 'same as --log-level debug')
    .option('--overlay <file>', 'enrichment overlay CSV (see docs/enrichment.md)')
    .option('--maxmind-asn <file>', 'MaxMind GeoLite2-ASN .mmdb')
    .option('--maxmind-city <file>', 'MaxMind GeoLite2-City .mmdb')
    .option(
      '--duration <seconds>',
      'stop after this many seconds (default: run until SIGINT/SIGTERM)',
    )
    .option(
      '--time-scale <factor>',
      'lab runs: the clock runs this many times faster than real time (default 1)',
    )
    .option(
      '--time-origin <iso>',
      'lab runs: wall-clock instant the scaled clock starts from (default: now)',
    )
    .option(
      '--alerts <file>',
      'live detection: append alerts as JSON lines to <file> ("-": stdout)',
    )
    .option('--webhook <url>', 'live detection: POST each alert as JSON to <url>')
    .option(
      '--id-seed <n>',
      'lab runs: derive the node ids from this seed (reproducible, so predictable: never on the internet)',
    )
    .option('--no-status', 'no live status line (it is shown only on a terminal anyway)')
    .addHelpText(
      'after',
      '\nPassive: it answers queries like a well-behaved node and sends only bootstrap pings and\nfind_node for its own ids; never get_peers or announce_peer, never TCP. Logs are JSON lines\non standard error. SIGINT or SIGTERM flushes everything and stops.\n\nExample:\n  dhtscope antenna --ports 6881,51413 --ids-per-port 8 --metrics-port 9464',
    );
  addDataDirOption(command).action(async (flags: AntennaFlags) => {
    const fromFlags = configFromFlags(flags, command);
    const duration = flags.duration === undefined ? undefined : durationFlag(flags.duration);
    const config = sensorConfig(flags.config, fromFlags, command);
    if (io.mayReplaceProcess === true) replaceWithHeapLimit(heapLimitMb(config));
    const log = createLogger(config.logLevel);
    const clock = sensorClock(config);
    const live = await storeErrors(() =>
      liveDetection(config, clock.clock ?? systemClock, io, log),
    );
    const antenna = await storeErrors(() =>
      Antenna.start(config, { log, ...clock, onEvent: live.onEvent }).catch(
        async (error: unknown) => {
          await live.close();
          throw startError(
            error,
            "another program uses that port, or the address is not this host's; choose others with --ports / --bind",
          );
        },
      ),
    );
    const statusLine = flags.status !== false && process.stderr.isTTY === true;
    const timer = statusLine
      ? setInterval(() => process.stderr.write(`\r${describe(antenna.status())}\x1b[K`), 1000)
      : undefined;
    await untilStopped(duration);
    if (timer !== undefined) {
      clearInterval(timer);
      process.stderr.write('\n');
    }
    await antenna.stop();
    await live.close();
    io.out(`${describe(antenna.status())} · alerts ${live.alerts()}`);
  });
}

function describe(s: AntennaStatus): string {
  return `${s.eventsPerSecond} events/s · ${s.recorded} recorded · identities ${s.reachable}/${s.identities} reachable · routing ${s.routingTableNodes} nodes · drops ${s.drops} · blocked sends ${s.blockedSends}`;
}

/**
 * Restarts this very process (execve: same pid, so signals and kill -9 still
 * reach the sensor) with a V8 heap ceiling, unless one is set already. Heap
 * limits only take effect when Node starts; nothing is open yet here.
 */
function replaceWithHeapLimit(limitMb: number): void {
  const already =
    process.env.DHTSCOPE_HEAP_LIMIT !== undefined ||
    [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
      a.startsWith('--max-old-space-size'),
    );
  const execve = (
    process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }
  ).execve;
  if (limitMb === 0 || already || typeof execve !== 'function' || process.platform === 'win32')
    return;
  const args = [
    process.execPath,
    ...process.execArgv,
    ...heapFlags(limitMb),
    ...process.argv.slice(1),
  ];
  // execve is marked experimental in Node 24; its one-line warning would only confuse.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    execve(process.execPath, args, { ...process.env, DHTSCOPE_HEAP_LIMIT: String(limitMb) });
  } finally {
    process.emitWarning = emitWarning;
  }
}

/**
 * Live detectors on the event stream: every alert goes into the store's
 * `alerts` dataset, and to --alerts / --webhook when given.
 */
async function liveDetection(
  config: AntennaConfig,
  clock: Clock,
  io: CliIo,
  log: ReturnType<typeof createLogger>,
): Promise<{ onEvent: (event: EventRecord) => void; alerts(): number; close(): Promise<void> }> {
  let sink: AlertSink | undefined;
  if (config.alerts !== undefined || config.webhook !== undefined) {
    try {
      sink = openAlertSink(config.alerts, config.webhook, io, log);
    } catch (error) {
      throw new CliError(`cannot open --alerts ${config.alerts}: ${(error as Error).message}`, {
        hint: 'give a writable file, or - for standard output',
      });
    }
  }
  const layout = openDataDir(config.dataDir, { create: true });
  const journal = await Journal.open<AlertRow>(layout, ALERTS, { writerId: config.writerId });
  const detectors = new LiveDetectors(() => clock.now());
  let count = 0;
  return {
    onEvent: (event) => {
      for (const alert of detectors.observe(event)) {
        count++;
        journal.append(alertRow(alert));
        sink?.send(alert);
      }
    },
    alerts: () => count,
    async close() {
      sink?.close();
      await journal.close();
    },
  };
}

function alertRow(alert: Alert): AlertRow {
  return {
    ts: Date.parse(alert.detectedAt) * 1000,
    type: alert.type,
    remoteIp: alert.remoteIp,
    asn: alert.asn,
    latencyUs: alert.latencyUs,
    why: alert.why,
    finding: JSON.stringify(alert.finding),
  };
}

/** The scaled clock of a lab run, or nothing (the system clock) for a real one. */
function sensorClock(config: AntennaConfig): { clock?: Clock } {
  if (config.timeScale === 1 && config.timeOrigin === undefined) return {};
  const origin = config.timeOrigin === undefined ? Date.now() : Date.parse(config.timeOrigin);
  return { clock: scaledClock(config.timeScale, systemClock, origin) };
}

/**
 * The config layer of the flags given (the data directory's environment
 * variable counts as a flag). Numbers are parsed here, in the words every
 * command uses for them; everything else the schema checks in resolveConfig.
 */
function configFromFlags(flags: AntennaFlags, command: Command): AntennaConfigInput {
  const fromFlags: AntennaConfigInput = {};
  const source = command.getOptionValueSource('dataDir');
  if (source === 'cli' || source === 'env') fromFlags.dataDir = flags.dataDir!;
  if (flags.bind !== undefined) fromFlags.bind = flags.bind;
  if (flags.ports !== undefined) fromFlags.ports = portsFlag(flags.ports);
  if (flags.idsPerPort !== undefined) fromFlags.idsPerPort = idsPerPortFlag(flags.idsPerPort);
  if (flags.bootstrap !== undefined && flags.bootstrap.length > 0)
    fromFlags.bootstrap = flags.bootstrap;
  if (flags.bep42Ids === true) fromFlags.bep42Ids = true;
  if (flags.externalIp !== undefined) fromFlags.externalIp = flags.externalIp;
  if (flags.writerId !== undefined) fromFlags.writerId = flags.writerId;
  if (flags.metricsPort !== undefined)
    fromFlags.metricsPort = wholeFlag('--metrics-port', flags.metricsPort, ...RANGE.metricsPort);
  if (flags.timeScale !== undefined)
    fromFlags.timeScale = decimalFlag('--time-scale', flags.timeScale, ...RANGE.timeScale);
  if (flags.timeOrigin !== undefined) fromFlags.timeOrigin = flags.timeOrigin;
  if (flags.alerts !== undefined) fromFlags.alerts = flags.alerts;
  if (flags.webhook !== undefined) fromFlags.webhook = flags.webhook;
  if (flags.idSeed !== undefined)
    fromFlags.idSeed = wholeFlag('--id-seed', flags.idSeed, ...RANGE.idSeed);
  if (flags.debug === true) fromFlags.logLevel = 'debug';
  else if (flags.logLevel !== undefined) fromFlags.logLevel = flags.logLevel as 'info';
  const enrichment: NonNullable<AntennaConfigInput['enrichment']> = {};
  if (flags.overlay !== undefined) enrichment.overlay = flags.overlay;
  if (flags.maxmindAsn !== undefined) enrichment.maxmindAsn = flags.maxmindAsn;
  if (flags.maxmindCity !== undefined) enrichment.maxmindCity = flags.maxmindCity;
  if (Object.keys(enrichment).length > 0) fromFlags.enrichment = enrichment;
  return fromFlags;
}

/** Digits, and at most one point between them. */
const DECIMAL = /^\d+(\.\d+)?$/;

/** Seconds above 0 (fractions allowed: tests stop a sensor after 0.2 s). */
function durationFlag(text: string): number {
  const seconds = Number(text);
  if (!DECIMAL.test(text) || seconds <= 0 || seconds > MAX_DURATION_SECONDS)
    throw usageError(
      `--duration ${text} is not a number of seconds above 0 and at most ${MAX_DURATION_SECONDS}`,
      'leave --duration out to run until Ctrl-C or SIGTERM',
    );
  return seconds;
}

/** A decimal number from `min` to `max`, written in digits and at most one point. */
function decimalFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || value < min || value > max)
    throw usageError(`${flag} ${text} is not a number from ${min} to ${max}`);
  return value;
}

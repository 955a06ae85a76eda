/**
 * The antenna's configuration: defaults, then a JSON config file, then
 * command-line flags, each layer validated by one schema whose errors name
 * the key (in the file) or the flag (on the command line) and say what is
 * wrong. docs/sensor.md documents every key.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { IDENTITY_DEFAULTS } from './identities.ts';

/** Public DHT routers most clients bootstrap from; contacted only when no --bootstrap is given. */
export const PUBLIC_ROUTERS: readonly string[] = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'dht.libtorrent.org:25401',
];

/**
 * Bounds of the numeric keys a flag also sets: the schema and the CLI's flag
 * parsers check the same ones, so a value refused in the file is refused on
 * the command line too.
 */
export const RANGE = {
  port: [1, 65_535],
  idsPerPort: [1, 64],
  metricsPort: [0, 65_535],
  idSeed: [0, 4_294_967_295],
  timeScale: [1, 100_000],
} as const satisfies Record<string, readonly [number, number]>;

/** A whole number in bounds; its error gives the bounds, in the words the flags use. */
function whole([min, max]: readonly [number, number]) {
  const expected = `expected a whole number from ${min} to ${max}`;
  return z.number(expected).int(expected).min(min, expected).max(max, expected);
}

/** A number in bounds, fractions allowed; out of them, its error gives the bounds. */
function decimal([min, max]: readonly [number, number]) {
  const expected = `expected a number from ${min} to ${max}`;
  return z.number().min(min, expected).max(max, expected);
}

/** An IP literal: a host name would be resolved at bind time, and fail there as a DNS error. */
function ipAddress(example: string) {
  return z.string().refine((text) => isIP(text) !== 0, `expected an IP address, e.g. ${example}`);
}

const [MIN_PORT, MAX_PORT] = RANGE.port;
const hostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/,
    'expected host:port, e.g. 192.0.2.1:6881 or [2001:db8::1]:6881',
  )
  .refine((text) => {
    const port = Number(text.slice(text.lastIndexOf(':') + 1));
    return port >= MIN_PORT && port <= MAX_PORT;
  }, `the port must be from ${MIN_PORT} to ${MAX_PORT}, e.g. 192.0.2.1:6881`);

/** Each port is one socket: a port listed twice would fail to bind as if another program held it. */
const ports = z
  .array(whole(RANGE.port))
  .min(1, 'expected at least one port')
  .max(64, 'expected at most 64 ports')
  .superRefine((list, context) => {
    const twice = list.find((port, i) => list.indexOf(port) !== i);
    if (twice !== undefined)
      context.addIssue({ code: 'custom', message: `port ${twice} is listed twice; list it once` });
  });

export const antennaConfigSchema = z
  .object({
    dataDir: z.string().min(1, 'expected a folder').default('dhtscope-data'),
    /** Local address to bind every port to: 0.0.0.0 (all IPv4), :: (all IPv6), or one address. */
    bind: ipAddress('0.0.0.0, :: or 192.0.2.1').default('0.0.0.0'),
    ports: ports.default([...IDENTITY_DEFAULTS.ports]),
    idsPerPort: whole(RANGE.idsPerPort).default(IDENTITY_DEFAULTS.idsPerPort),
    /** Nodes to bootstrap from; when empty, the public routers. */
    bootstrap: z.array(hostPort).default([]),
    /** Only BEP 42-valid ids for this external address (see docs/sensor.md for the cost). */
    bep42Ids: z.boolean().default(false),
    externalIp: ipAddress('203.0.113.7').optional(),
    rotationHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(IDENTITY_DEFAULTS.rotationMs / 3_600_000),
    writerId: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,40}$/, 'expected letters, digits and underscores, at most 40')
      .default('antenna'),
    /** Prometheus text endpoint on 127.0.0.1; 0 turns it off. */
    metricsPort: whole(RANGE.metricsPort).default(0),
    metricsIntervalSeconds: z.number().int().min(1).max(3600).default(60),
    /** Share of malformed datagrams whose bytes are kept (the rest keep only their reason). */
    malformedSampleRate: z.number().min(0).max(1).default(0.1),
    /** Inbound queries answered per remote address (a token bucket); the rest are recorded but not answered. */
    rateLimit: z
      .object({ perSecond: z.number().positive(), burst: z.number().int().min(1) })
      .strict()
      .default({ perSecond: 50, burst: 100 }),
    /** Events waiting for the disk beyond this are dropped and counted. */
    maxQueuedEvents: z.number().int().min(1000).default(200_000),
    /** Live alerts as JSON lines: a file (appended) or "-" for standard output; unset: none. */
    alerts: z.string().min(1, 'expected a file, or - for standard output').optional(),
    /** POST each alert as JSON to this URL (http or https). */
    webhook: z.url({ protocol: /^https?$/, error: 'expected an http or https URL' }).optional(),
    /** Lab runs and tests only: node ids derived from this seed (reproducible, hence predictable). */
    idSeed: whole(RANGE.idSeed).optional(),
    /** Lab runs only: the sensor's clock runs this many times faster than the wall clock (docs/scenarios.md). */
    timeScale: decimal(RANGE.timeScale).default(1),
    /** With timeScale: the wall-clock instant (ISO 8601) the scaled clock starts from, shared with the lab. */
    timeOrigin: z.iso
      .datetime({ error: 'expected an ISO 8601 UTC time, e.g. 2025-01-01T00:00:00Z' })
      .optional(),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    /** V8 old-space ceiling for the antenna process, MB; 0 leaves Node's default. Default: sized to the identities. */
    heapLimitMb: z.number().int().min(0).optional(),
    enrichment: z
      .object({
        overlay: z.string().optional(),
        maxmindAsn: z.string().optional(),
        maxmindCity: z.string().optional(),
        builtin: z.boolean().default(true),
      })
      .strict()
      .default({ builtin: true }),
  })
  .strict();

export type AntennaConfig = z.infer<typeof antennaConfigSchema>;

/** V8's young generation for the antenna, beside its heap ceiling (`heapLimitMb`). */
const SEMI_SPACE_MB = 4;

/** The V8 flags the antenna runs with under a heap ceiling of `limitMb` (the CLI and the benches alike). */
export function heapFlags(limitMb: number): string[] {
  return [`--max-old-space-size=${limitMb}`, `--max-semi-space-size=${SEMI_SPACE_MB}`];
}

/**
 * The heap ceiling the antenna runs with. Its live heap is small and flat, but
 * with Node's default sizing V8 keeps ~900 MB under a flood; a ceiling keeps
 * the antenna's share of RSS near 260 MB (bench/README.md). V8 sizes its old
 * generation's first limits from the ceiling: 384 MB answered 4–6 % more
 * queries/s than 192 MB in eleven interleaved pairs out of eleven, for about
 * 15 MB more RSS. Each identity's engine holds its own bounded tables, hence
 * the share per identity.
 */
export function heapLimitMb(config: AntennaConfig): number {
  if (config.heapLimitMb !== undefined) return config.heapLimitMb;
  return Math.max(MIN_HEAP_LIMIT_MB, 128 + 4 * config.ports.length * config.idsPerPort);
}

/** The smallest heap ceiling `heapLimitMb` chooses by itself. */
export const MIN_HEAP_LIMIT_MB = 384;
export type AntennaConfigInput = z.input<typeof antennaConfigSchema>;

export class ConfigError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.name = 'ConfigError';
    this.hint = hint;
  }
}

/** Reads a JSON config file; its keys are those of the schema (docs/sensor.md). */
export function readConfigFile(path: string): AntennaConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read config file ${path} (${(error as NodeJS.ErrnoException).code})`,
      'check the --config path',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${path} is not valid JSON: ${(error as Error).message}`,
      'see docs/sensor.md for an example',
    );
  }
  // Spread into the flags, an array or a string would turn into keys "0", "1"…
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      `config file ${path} must hold a JSON object of keys, not ${jsonKind(parsed)}`,
      'write {"key": value, …}; see docs/sensor.md for an example',
    );
  }
  return parsed as AntennaConfigInput;
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * How a command line names the keys it sets, so that its errors speak of the
 * flags the user typed; the CLI derives it from the command's options.
 */
export interface FlagNaming {
  /** The command whose --help the hint points to. */
  command: string;
  /** The flag that sets `key` (`ports`, `enrichment.overlay`), or undefined when none does. */
  flagOf(key: string): string | undefined;
}

const NO_FLAGS: FlagNaming = { command: 'antenna', flagOf: () => undefined };

/**
 * Validates defaults ← file ← flags. Each layer is checked on its own first,
 * so a bad value in the file is refused even when a flag overrides its key;
 * a problem in the file names `source` and the key, one on the command line
 * the flag and its value, with the command's help as the hint.
 */
export function resolveConfig(
  file: AntennaConfigInput,
  flags: AntennaConfigInput,
  source: string,
  naming: FlagNaming = NO_FLAGS,
): AntennaConfig {
  const inFile = antennaConfigSchema.safeParse(file);
  if (!inFile.success)
    throw new ConfigError(
      `${source}: ${firstIssueText(inFile.error)}`,
      'docs/sensor.md lists every config key and its values',
    );
  const inFlags = antennaConfigSchema.safeParse(flags);
  if (!inFlags.success)
    throw new ConfigError(
      flagIssueText(inFlags.error, flags, naming),
      `dhtscope ${naming.command} --help lists every option`,
    );
  const merged = {
    ...file,
    ...flags,
    enrichment: { ...(file.enrichment ?? {}), ...(flags.enrichment ?? {}) },
  };
  // Each layer is valid and every key comes whole from one of them, so this holds.
  const config = antennaConfigSchema.parse(merged);
  if (config.bep42Ids && config.externalIp === undefined) {
    throw new ConfigError(
      flags.bep42Ids === true
        ? `${naming.flagOf('bep42Ids') ?? 'bep42Ids'} needs ${naming.flagOf('externalIp') ?? 'externalIp'}`
        : `${source}: bep42Ids needs externalIp`,
      'give --external-ip with the address other nodes see',
    );
  }
  return config;
}

/** `--bind notanip: expected an IP address, e.g. …`: the flag, the value given, what it takes. */
function flagIssueText(error: z.ZodError, flags: AntennaConfigInput, naming: FlagNaming): string {
  const issue = error.issues[0]!;
  const key = issue.path.filter((p) => typeof p === 'string').join('.');
  const flag = naming.flagOf(key);
  // A key no flag sets came from the command's own code, not from the user.
  if (flag === undefined) return `command line: ${firstIssueText(error)}`;
  let value: unknown = flags;
  for (const step of issue.path) value = (value as Record<PropertyKey, unknown>)?.[step];
  return `${flag} ${shownValue(value)}: ${issue.message}`;
}

/** A value as it was typed: a list comma-separated, a string quoted only when blank or spaced. */
function shownValue(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string') return /^\S+$/.test(value) ? value : JSON.stringify(value);
  return String(value);
}

/**
 * The first problem of a failed validation, named by its path in the input
 * (`ports[2]: …`, `enrichment.overlay: …`); shared by every file format
 * dhtscope reads (config files, scenario files).
 */
export function firstIssueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const key = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .slice(1);
  const what =
    issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
  return key === '' ? what : `${key}: ${what}`;
}

/**
 * The antenna's configuration: defaults, then a JSON config file, then
 * command-line flags, each layer validated by one schema whose errors name
 * the key and say what is wrong. docs/sensor.md documents every key.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IDENTITY_DEFAULTS } from './identities.ts';

/** Public DHT routers most clients bootstrap from; contacted only when no --bootstrap is given. */
export const PUBLIC_ROUTERS: readonly string[] = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'dht.libtorrent.org:25401',
];

const port = z.number().int().min(1).max(65_535);
const hostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/,
    'expected host:port, e.g. 192.0.2.1:6881 or [2001:db8::1]:6881',
  );

export const antennaConfigSchema = z
  .object({
    dataDir: z.string().min(1).default('dhtscope-data'),
    /** Local address to bind every port to: 0.0.0.0 (all IPv4), :: (all IPv6), or one address. */
    bind: z.string().min(1).default('0.0.0.0'),
    ports: z
      .array(port)
      .min(1)
      .max(64)
      .default([...IDENTITY_DEFAULTS.ports]),
    idsPerPort: z.number().int().min(1).max(64).default(IDENTITY_DEFAULTS.idsPerPort),
    /** Nodes to bootstrap from; when empty, the public routers. */
    bootstrap: z.array(hostPort).default([]),
    /** Only BEP 42-valid ids for this external address (see docs/sensor.md for the cost). */
    bep42Ids: z.boolean().default(false),
    externalIp: z.string().optional(),
    rotationHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(IDENTITY_DEFAULTS.rotationMs / 3_600_000),
    writerId: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,40}$/, 'letters, digits and underscores, at most 40')
      .default('antenna'),
    /** Prometheus text endpoint on 127.0.0.1; 0 turns it off. */
    metricsPort: z.number().int().min(0).max(65_535).default(0),
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
    alerts: z.string().min(1).optional(),
    /** POST each alert as JSON to this URL (http or https). */
    webhook: z.url({ protocol: /^https?$/ }).optional(),
    /** Lab runs and tests only: node ids derived from this seed (reproducible, hence predictable). */
    idSeed: z.number().int().min(0).max(4_294_967_295).optional(),
    /** Lab runs only: the sensor's clock runs this many times faster than the wall clock (docs/scenarios.md). */
    timeScale: z.number().min(1).max(100_000).default(1),
    /** With timeScale: the wall-clock instant (ISO 8601) the scaled clock starts from, shared with the lab. */
    timeOrigin: z.iso.datetime().optional(),
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
  try {
    return JSON.parse(text) as AntennaConfigInput;
  } catch (error) {
    throw new ConfigError(
      `config file ${path} is not valid JSON: ${(error as Error).message}`,
      'see docs/sensor.md for an example',
    );
  }
}

/** Validates defaults ← file ← flags; the first problem names its key. */
export function resolveConfig(
  file: AntennaConfigInput,
  flags: AntennaConfigInput,
  source: string,
): AntennaConfig {
  const merged = {
    ...file,
    ...flags,
    enrichment: { ...(file.enrichment ?? {}), ...(flags.enrichment ?? {}) },
  };
  const parsed = antennaConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      `${source}: ${firstIssueText(parsed.error)}`,
      'dhtscope antenna --help lists every option; docs/sensor.md every config key',
    );
  }
  if (parsed.data.bep42Ids && parsed.data.externalIp === undefined) {
    throw new ConfigError(
      `${source}: bep42Ids needs externalIp`,
      'give --external-ip with the address other nodes see',
    );
  }
  return parsed.data;
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

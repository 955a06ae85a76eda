/**
 * Scenario files: a lab network, the address blocks (with their ASNs) its
 * actors live in, and the actors with their ground-truth labels. JSON or
 * YAML; docs/scenarios.md documents every key. Loading validates the whole
 * file and names the first problem by its path in the file.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseCidr } from '../enrich/cidr.ts';
import { firstIssueText } from '../sensor/config.ts';
import { parseDuration } from './duration.ts';

export class ScenarioError extends Error {
  readonly hint: string;

  constructor(message: string, hint = 'docs/scenarios.md describes the scenario format') {
    super(message);
    this.name = 'ScenarioError';
    this.hint = hint;
  }
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a duration such as 90s, 30m, 4h, 2d`,
    });
    return z.NEVER;
  }
  return ms;
});

const networkSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    /** An IPv4 block inside 127.0.0.0/8 (127.0.0.0/16 is kept for the sensor). */
    cidr: z.string(),
    asn: z.number().int().min(1).max(4_294_967_295),
    org: z.string().min(1),
    country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code such as DE'),
    city: z.string().optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
  })
  .strict();

const actorSchema = z
  .object({
    /** Names the actor in labels and reports; default: the behavior and its position. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional(),
    behavior: z.string(),
    /** The ground-truth class `lab eval` expects the detectors to find; default: the behavior's. */
    label: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .optional(),
    /** Independent instances of this actor. */
    count: z.number().int().min(1).max(1_000_000).default(1),
    /** Network(s) its addresses come from; with several, addresses alternate between them. */
    network: z.union([z.string(), z.array(z.string()).min(1)]),
    /** The behavior's own parameters (docs/scenarios.md lists them per behavior). */
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** How much lab time the scenario covers. */
    duration,
    /** Live runs only: lab time runs this many times faster than the wall clock. */
    timeScale: z.number().min(1).max(100_000).default(60),
    /** Traces only: when lab time starts (ISO 8601, UTC). */
    start: z.iso.datetime().default('2026-01-05T00:00:00Z'),
    /** Share of actor datagrams lost on the way (both modes). */
    lossRate: z.number().min(0).max(0.9).default(0),
    /** The lab's own DHT nodes: how many, and the block they live in. */
    dht: z
      .object({
        nodes: z.number().int().min(8).max(5000).default(200),
        network: z.string().optional(),
      })
      .strict()
      .default({ nodes: 200 }),
    /** The sensor's identities (the trace plans them as the antenna does; a live run passes them on). */
    sensor: z
      .object({
        ports: z.number().int().min(1).max(64).default(8),
        idsPerPort: z.number().int().min(1).max(16).default(1),
      })
      .strict()
      .default({ ports: 8, idsPerPort: 1 }),
    catalogue: z
      .object({
        size: z.number().int().min(1).max(10_000_000).default(5000),
        zipf: z.number().min(0).max(4).default(1),
      })
      .strict()
      .default({ size: 5000, zipf: 1 }),
    networks: z.array(networkSchema).min(1),
    actors: z.array(actorSchema).min(1),
  })
  .strict();

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioNetwork = Scenario['networks'][number];
export type ScenarioActor = Scenario['actors'][number];

/** The block every sensor address comes from; scenario networks must stay out of it. */
export const SENSOR_BLOCK = '127.0.0.0/16';

/** Reads and validates a scenario file (`.json`, `.yaml` or `.yml`). */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(
      `cannot read scenario ${path} (${(error as NodeJS.ErrnoException).code})`,
      'check the path; `dhtscope lab scenarios` lists the built-in ones',
    );
  }
  return parseScenario(text, path);
}

/** Parses scenario text; `source` names it in errors and picks JSON or YAML by extension. */
export function parseScenario(text: string, source: string): Scenario {
  let raw: unknown;
  try {
    raw = extname(source) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(
      `${source} is not valid ${extname(source) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(`${source}: ${firstIssueText(parsed.error)}`);
  checkNetworks(parsed.data, source);
  return parsed.data;
}

function checkNetworks(scenario: Scenario, source: string): void {
  const names = new Set<string>();
  const blocks: { name: string; first: number; last: number }[] = [];
  const sensor = ipv4Block(SENSOR_BLOCK)!;
  for (const network of scenario.networks) {
    if (names.has(network.name))
      throw new ScenarioError(`${source}: network "${network.name}" is defined twice`);
    names.add(network.name);
    const block = ipv4Block(network.cidr);
    if (block === undefined || block.first >>> 24 !== 127 || block.last >>> 24 !== 127) {
      throw new ScenarioError(
        `${source}: network "${network.name}": ${network.cidr} is not an IPv4 block inside 127.0.0.0/8`,
        'the lab never leaves loopback; use blocks such as 127.20.0.0/16',
      );
    }
    if (block.first <= sensor.last && block.last >= sensor.first) {
      throw new ScenarioError(
        `${source}: network "${network.name}" overlaps ${SENSOR_BLOCK}, which is kept for the sensor`,
      );
    }
    for (const other of blocks) {
      if (block.first <= other.last && block.last >= other.first) {
        throw new ScenarioError(
          `${source}: networks "${other.name}" and "${network.name}" overlap`,
        );
      }
    }
    blocks.push({ name: network.name, ...block });
  }
  const known = (name: string, where: string) => {
    if (!names.has(name)) {
      throw new ScenarioError(
        `${source}: ${where} names network "${name}", which is not defined`,
        `defined networks: ${[...names].join(', ')}`,
      );
    }
  };
  if (scenario.dht.network !== undefined) known(scenario.dht.network, 'dht.network');
  for (const [i, actor] of scenario.actors.entries()) {
    for (const name of Array.isArray(actor.network) ? actor.network : [actor.network])
      known(name, `actors[${i}]`);
  }
}

/** First and last address of an IPv4 CIDR block as unsigned 32-bit numbers. */
export function ipv4Block(cidr: string): { first: number; last: number } | undefined {
  const parsed = parseCidr(cidr);
  if ('problem' in parsed || parsed.family !== 4) return undefined;
  const first = parsed.words[0]!;
  const size = 2 ** (32 - parsed.prefix);
  return { first, last: first + size - 1 };
}

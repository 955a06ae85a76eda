/**
 * A scenario made concrete: which loopback address each lab node and actor
 * uses, the overlay that gives those addresses their ASNs, each actor's
 * parameters validated and its random stream derived, and the ground-truth
 * labels. Building a world does no I/O; the live runner and the trace
 * generator both start from one.
 */
import type { OverlayEntry } from '../enrich/index.ts';
import { formatIp } from '../protocol/net/ip.ts';
import { BEHAVIORS, behaviorNamed } from './actors/index.ts';
import type { ActorAddress, ActorContext, Behavior, SubjectLabel } from './behavior.ts';
import { Catalogue } from './catalogue.ts';
import { Rng } from './rng.ts';
import { ipv4Block, type Scenario, ScenarioError, SENSOR_BLOCK } from './scenario.ts';

/** Where the sensor's identities live in a lab: the first address of the sensor block. */
export const LAB_SENSOR_ADDRESS = '127.0.0.1';

/** The label of the lab's own DHT nodes (background traffic, not an actor). */
export const DHT_NODE_LABEL = 'dht_node';

export interface LabActor {
  /** Unique within the scenario: the actor's name (or behavior) and instance number. */
  name: string;
  label: string;
  behavior: Behavior<unknown>;
  params: unknown;
  context: ActorContext;
}

export interface LabDhtNode {
  address: string;
  port: number;
  network: string;
}

export interface World {
  scenario: Scenario;
  catalogue: Catalogue;
  actors: LabActor[];
  dhtNodes: LabDhtNode[];
  overlay: OverlayEntry[];
  labels: GroundTruth[];
}

/** One labelled subject: an address with its actor (the group for fleets) or an infohash. */
export interface GroundTruth extends SubjectLabel {
  actor: string;
}

const DHT_PORT = 6881;

export function buildWorld(scenario: Scenario): World {
  const catalogue = new Catalogue(scenario.seed, scenario.catalogue.size, scenario.catalogue.zipf);
  const allocator = new AddressAllocator(scenario);
  const labels: GroundTruth[] = [];

  const dhtNetworks =
    scenario.dht.network === undefined
      ? scenario.networks.map((n) => n.name)
      : [scenario.dht.network];
  const dhtNodes: LabDhtNode[] = [];
  for (let i = 0; i < scenario.dht.nodes; i++) {
    const network = dhtNetworks[i % dhtNetworks.length]!;
    const address = allocator.next(network);
    dhtNodes.push({ address, port: DHT_PORT, network });
    labels.push({ kind: 'address', key: address, label: DHT_NODE_LABEL, actor: 'dht' });
  }

  const actors: LabActor[] = [];
  const names = new Set<string>();
  for (const [index, spec] of scenario.actors.entries()) {
    const behavior = behaviorNamed(spec.behavior);
    if (behavior === undefined) {
      throw new ScenarioError(
        `actors[${index}]: unknown behavior "${spec.behavior}"`,
        `known behaviors: ${BEHAVIORS.map((b) => b.name).join(', ')}`,
      );
    }
    const parsed = behavior.params.safeParse(spec.params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const key = issue.path.map(String).join('.');
      const what =
        issue.code === 'unrecognized_keys'
          ? `unknown parameter(s) ${issue.keys.join(', ')}`
          : issue.message;
      throw new ScenarioError(
        `actors[${index}] (${spec.behavior}): params${key === '' ? '' : `.${key}`}: ${what}`,
        `docs/scenarios.md lists the parameters of ${spec.behavior}`,
      );
    }
    const networks = Array.isArray(spec.network) ? spec.network : [spec.network];
    const label = spec.label ?? behavior.defaultLabel;
    for (let n = 0; n < spec.count; n++) {
      const name = `${spec.name ?? spec.behavior}-${n + 1}`;
      if (names.has(name))
        throw new ScenarioError(
          `actors[${index}]: two actors are named ${name}`,
          'give the actors distinct names',
        );
      names.add(name);
      const addresses: ActorAddress[] = [];
      // Ports from a stream of their own: the plan's stream and the hash labels' stream
      // must start alike, so that labels name the hashes the plan really uses.
      const ports = Rng.derive(scenario.seed, `${name}/ports`);
      const rng = Rng.derive(scenario.seed, name);
      for (let a = 0; a < behavior.addressesFor(parsed.data); a++) {
        const address = allocator.next(networks[(n + a) % networks.length]!);
        addresses.push({ ip: address, port: clientPort(ports) });
        labels.push({ kind: 'address', key: address, label, actor: name });
      }
      const context: ActorContext = { rng, durationMs: scenario.duration, addresses, catalogue };
      // Hash labels come from a stream of their own so they do not shift the plan's randomness.
      for (const hash of behavior.hashLabels?.(
        { ...context, rng: Rng.derive(scenario.seed, name) },
        parsed.data,
      ) ?? []) {
        labels.push({ ...hash, actor: name });
      }
      actors.push({ name, label, behavior, params: parsed.data, context });
    }
  }

  const overlay: OverlayEntry[] = [
    {
      cidr: SENSOR_BLOCK,
      asn: 64_496,
      org: 'dhtscope lab sensor',
      country: 'ZZ',
      label: 'lab-sensor',
    },
    ...scenario.networks.map((n) => ({
      cidr: n.cidr,
      asn: n.asn,
      org: n.org,
      country: n.country,
      ...(n.city === undefined ? {} : { city: n.city }),
      ...(n.latitude === undefined || n.longitude === undefined
        ? {}
        : { latitude: n.latitude, longitude: n.longitude }),
      label: n.name,
    })),
  ];
  return { scenario, catalogue, actors, dhtNodes, overlay, labels };
}

/** Client ports look like real ones: the BitTorrent defaults and random high ports. */
function clientPort(rng: Rng): number {
  return rng.chance(0.3) ? 6881 + rng.int(9) : 10_000 + rng.int(55_000);
}

/** Hands out addresses of each network in order, skipping .0 and .255 hosts. */
class AddressAllocator {
  readonly #next = new Map<string, { at: number; last: number }>();

  constructor(scenario: Scenario) {
    for (const network of scenario.networks) {
      const block = ipv4Block(network.cidr)!;
      this.#next.set(network.name, { at: block.first + 1, last: block.last });
    }
  }

  next(network: string): string {
    const state = this.#next.get(network)!;
    while ((state.at & 0xff) === 0 || (state.at & 0xff) === 0xff) state.at++;
    if (state.at > state.last) {
      throw new ScenarioError(
        `network "${network}" has run out of addresses`,
        'give it a larger block (a /16 holds 65,000 hosts)',
      );
    }
    const address = state.at++;
    return formatIp(
      Uint8Array.of(
        address >>> 24,
        (address >>> 16) & 0xff,
        (address >>> 8) & 0xff,
        address & 0xff,
      ),
    );
  }
}

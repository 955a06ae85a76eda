/**
 * `lab eval`'s core: run the detectors over a lab's store, read what they
 * concluded, and score it against the ground truth written beside the events.
 *
 * Addresses are scored by their one class (operator_profiles). Infohashes
 * are scored label by label (hash_behavior_profiles), against two sources
 * of truth:
 * - the labels actors give their hashes by design (ground-truth.json: a
 *   swarm's torrent is swarm_like, a monitor's watch list and a
 *   synchronized watched torrent periodic_lookup_target, a flash crowd's
 *   hash burst_activity);
 * - the count-based labels (observer_target, dead_swarm, swarm_like,
 *   high_asn_interest) of every hash, computed from the scenario's plan:
 *   every get_peers and announce_peer every actor sent, whoever received
 *   it, against the detector's default thresholds. That is the truth of
 *   the world (a popular catalogue torrent that 30 clients in 5 networks
 *   fetch IS of high ASN interest), while the detector sees only the
 *   sensor's share, minus lost datagrams. The plan is rebuilt from the
 *   built-in scenario of the ground truth's name (or the `world` given),
 *   and used only when its labels match the ground truth exactly.
 */

import { clusteringStep } from '../analysis/coordination/clustering-step.ts';
import { OPERATOR_CLASSES } from '../analysis/detection.ts';
import { HASH_PROFILE_DEFAULTS } from '../analysis/hash-profiles/classify.ts';
import { hashProfilesStep } from '../analysis/hash-profiles/step.ts';
import { computeOperatorProfiles } from '../analysis/operator-profiles.ts';
import { ROLE_OF_CLASS } from '../analysis/operator-roles.ts';
import { toHex } from '../protocol/hex.ts';
import { StoreReader } from '../store/reader.ts';
import { resolveScenario } from './builtin-scenarios.ts';
import { readGroundTruth } from './ground-truth.ts';
import { ipv4Block } from './scenario.ts';
import {
  type Prediction,
  type ScoreReport,
  type Subject,
  scoreHashLabels,
  scorePredictions,
} from './score.ts';
import { type GroupsReport, scoreGroups, trueGroups } from './score-groups.ts';
import { buildWorld, type GroundTruth, type World } from './world.ts';

export interface Finding {
  remoteIp: string;
  asn?: number;
  org?: string;
  country?: string;
  class: string;
  confidence: number;
  why: string;
  group?: string;
  queries: number;
  /** The ground truth for this address, when the lab knows it. */
  truth?: string;
}

export interface Evaluation {
  scenario: string;
  mode: 'live' | 'trace';
  events: number;
  addresses: number;
  scores: ScoreReport;
  /** Infohashes profiled (hash_behavior_profiles rows). */
  hashes: number;
  /** The same addresses scored by operator role (crawler, indexer, measurement_node, tracker_node, normal_client). */
  roles: ScoreReport;
  /** The lab's fleets (several addresses run as one operator) against operator_clusters: members found. */
  groups: GroupsReport;
  /** Whether the count-based hash labels came from the scenario's plan (false: actor labels only). */
  planTruth: boolean;
  /** Every address the detectors put in a class other than normal_client and dht_node. */
  findings: Finding[];
}

export async function evaluate(
  dataDir: string,
  options: { onProgress?: (done: number, total: number) => void; world?: World } = {},
): Promise<Evaluation> {
  const truth = readGroundTruth(dataDir);
  const reader = await StoreReader.open(dataDir);
  try {
    await computeOperatorProfiles(
      reader,
      options.onProgress === undefined ? {} : { onProgress: options.onProgress },
    );
    await hashProfilesStep.run({ reader, config: {}, onProgress: () => {} });
    await clusteringStep.run({ reader, config: {}, onProgress: () => {} });
    const rows = (
      await reader.query(
        `SELECT remote_ip, asn, org, country, class, role, confidence, why, group_id, queries FROM operator_profiles ORDER BY class, remote_ip`,
      )
    ).rows;
    const [{ n }] = (await reader.query('SELECT count(*)::INTEGER AS n FROM events')).rows as [
      { n: number },
    ];
    const byAddress = new Map(
      truth.labels.filter((l) => l.kind === 'address').map((l) => [l.key, l.label]),
    );
    const predictions: Prediction[] = rows.map((r) => ({
      kind: 'address',
      key: String(r.remote_ip),
      label: String(r.class),
    }));
    const findings: Finding[] = rows
      .filter((r) => r.class !== 'normal_client' && r.class !== 'dht_node')
      .map((r) => ({
        remoteIp: String(r.remote_ip),
        ...(r.asn == null ? {} : { asn: Number(r.asn) }),
        ...(r.org == null ? {} : { org: String(r.org) }),
        ...(r.country == null ? {} : { country: String(r.country) }),
        class: String(r.class),
        confidence: Number(r.confidence),
        why: String(r.why),
        ...(r.group_id == null ? {} : { group: String(r.group_id) }),
        queries: Number(r.queries),
        ...(byAddress.has(String(r.remote_ip))
          ? { truth: byAddress.get(String(r.remote_ip))! }
          : {}),
      }));
    // The source documents' roles (crawler, indexer, measurement_node, normal_client),
    // scored with the same truth mapped through the same table the detectors use.
    const roles = scorePredictions(
      truth.labels
        .filter((l) => l.kind === 'address')
        .map((l) => ({
          kind: l.kind,
          key: l.key,
          label: ROLE_OF_CLASS[l.label] ?? 'normal_client',
        })),
      rows.map((r) => ({
        kind: 'address' as const,
        key: String(r.remote_ip),
        label: String(r.role),
      })),
    );
    const scores = scorePredictions(
      truth.labels
        .filter((l) => l.kind === 'address')
        .map((l) => ({ kind: l.kind, key: l.key, label: l.label })),
      predictions,
    );
    // A fresh world: a run consumes its actors' random streams, the plan must start over.
    const world =
      options.world === undefined
        ? rebuildWorld(truth.scenario, truth.labels)
        : buildWorld(options.world.scenario);
    const hashTruth: Subject[] =
      world === undefined
        ? truth.labels
            .filter((l) => l.kind === 'infohash')
            .map((l) => ({ kind: l.kind, key: l.key, label: l.label }))
        : [...designHashLabels(buildWorld(world.scenario)), ...planHashLabels(world)];
    const profiles = (
      await reader.query('SELECT infohash, classifications FROM hash_behavior_profiles')
    ).rows;
    const seen = (
      await reader.query(
        `SELECT DISTINCT target FROM events WHERE kind IN ('get_peers', 'announce_peer') AND target IS NOT NULL`,
      )
    ).rows.map((r) => String(r.target));
    scores.hashLabels = scoreHashLabels(
      hashTruth,
      profiles.flatMap((r) =>
        String(r.classifications)
          .split(',')
          .filter((label) => label !== '')
          .map((label): Prediction => ({ kind: 'infohash', key: String(r.infohash), label })),
      ),
      seen,
      profiles.map((r) => String(r.infohash)),
    );
    const clusters = (await reader.query('SELECT cluster_id, addresses FROM operator_clusters'))
      .rows;
    const groups = scoreGroups(
      trueGroups(truth.labels, FLEET_CLASSES),
      clusters.map((r) => ({ id: String(r.cluster_id), members: String(r.addresses).split(', ') })),
      new Set(rows.map((r) => String(r.remote_ip))),
    );
    return {
      scenario: truth.scenario,
      mode: truth.mode,
      events: n,
      addresses: rows.length,
      scores,
      roles,
      hashes: profiles.length,
      groups,
      planTruth: world !== undefined,
      findings,
    };
  } finally {
    reader.close();
  }
}

/** Ground-truth labels that are operators rather than users or DHT nodes: their multi-address actors are fleets. */
const FLEET_CLASSES: ReadonlySet<string> = new Set(
  OPERATOR_CLASSES.filter((c) => c !== 'normal_client' && c !== 'dht_node' && c !== 'swarm_peer'),
);

/**
 * The world of a built-in scenario by name, when its labels are exactly the
 * ground truth's (the same scenario, not a file that shares its name).
 */
function rebuildWorld(name: string, labels: readonly GroundTruth[]): World | undefined {
  let world: World;
  try {
    world = buildWorld(resolveScenario(name).scenario);
  } catch {
    return undefined;
  }
  const key = (l: GroundTruth) => `${l.kind} ${l.key} ${l.label} ${l.actor}`;
  const a = world.labels.map(key).sort();
  const b = labels.map(key).sort();
  return a.length === b.length && a.every((x, i) => x === b[i]) ? world : undefined;
}

/**
 * The hash labels actors give by design, asked of a fresh world whose actor
 * streams stand where each plan starts (the same labels ground-truth.json
 * holds, recomputed so scores never depend on an older file's keys).
 */
function designHashLabels(world: World): Subject[] {
  return world.actors.flatMap((actor) =>
    (actor.behavior.hashLabels?.(actor.context, actor.params) ?? []).map((l) => ({
      kind: l.kind,
      key: l.key,
      label: l.label,
    })),
  );
}

interface PlannedHash {
  lookups: number;
  announces: number;
  addresses: Set<string>;
  asns: Set<number>;
}

/**
 * The count-based labels of every hash, from every actor's full plan (the
 * queries as sent, before the sensor's partial view and any loss), by the
 * definitions and default thresholds of src/analysis/hash-profiles.
 */
export function planHashLabels(world: World): Subject[] {
  const networks = world.scenario.networks.map((n) => ({ asn: n.asn, block: ipv4Block(n.cidr)! }));
  const asnOf = (ip: string): number | undefined => {
    const value = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    return networks.find((n) => value >= n.block.first && value <= n.block.last)?.asn;
  };
  const hashes = new Map<string, PlannedHash>();
  for (const actor of world.actors) {
    const asns = actor.context.addresses.map((a) => asnOf(a.ip));
    for (const query of actor.behavior.plan(actor.context, actor.params)) {
      if (query.method !== 'get_peers' && query.method !== 'announce_peer') continue;
      const key = toHex(query.target);
      let hash = hashes.get(key);
      if (hash === undefined) {
        hash = { lookups: 0, announces: 0, addresses: new Set(), asns: new Set() };
        hashes.set(key, hash);
      }
      if (query.method === 'get_peers') hash.lookups++;
      else hash.announces++;
      hash.addresses.add(actor.context.addresses[query.from]!.ip);
      const asn = asns[query.from];
      if (asn !== undefined) hash.asns.add(asn);
    }
  }
  const c = HASH_PROFILE_DEFAULTS;
  const out: Subject[] = [];
  for (const [key, h] of hashes) {
    const ratio = h.announces / (h.lookups + h.announces);
    const label = (name: string) => out.push({ kind: 'infohash', key, label: name });
    if (h.lookups >= c.observer_target.minLookups && ratio < c.observer_target.maxAnnounceRatio)
      label('observer_target');
    if (h.lookups >= c.dead_swarm.minLookups && ratio < c.dead_swarm.maxAnnounceRatio)
      label('dead_swarm');
    if (ratio >= c.swarm_like.minAnnounceRatio && h.addresses.size >= c.swarm_like.minIps)
      label('swarm_like');
    if (h.asns.size >= c.high_asn_interest.minAsns) label('high_asn_interest');
  }
  return out;
}

/**
 * The sensor's identities as a lab sees them: in a trace, planned exactly as
 * the antenna plans its own (ports × ids, one keyspace slice each) from the
 * scenario's seed; in a live run, learned from the running antenna.
 */
import { seededRandomBytes } from '../protocol/random.ts';
import { planIdentities, SOURCE_PORTS, sliceId } from '../sensor/identities.ts';
import type { DirectoryNode } from './directory.ts';
import { Rng } from './rng.ts';
import type { Scenario } from './scenario.ts';
import { LAB_SENSOR_ADDRESS } from './world.ts';

/** The ports a trace's sensor listens on: the sources' list, then counting up from 20000. */
export function tracePorts(count: number): number[] {
  return Array.from({ length: count }, (_, i) => SOURCE_PORTS[i] ?? 20_000 + i);
}

/**
 * The seed the lab hands the antenna (`--id-seed`) so that a live run's
 * sensor has the very ids a trace of the same scenario plans: both modes
 * then see the same part of the keyspace.
 */
export function sensorIdSeed(scenario: Scenario): number {
  return Rng.derive(scenario.seed, 'sensor').uint32();
}

export function plannedSensorNodes(scenario: Scenario): DirectoryNode[] {
  const random = seededRandomBytes(sensorIdSeed(scenario));
  const plans = planIdentities(tracePorts(scenario.sensor.ports), scenario.sensor.idsPerPort);
  return plans.map((plan) => ({
    id: sliceId(plan.index, plans.length, random),
    address: LAB_SENSOR_ADDRESS,
    port: plan.port,
    sensor: true,
  }));
}

/** Ids for the lab's own DHT nodes, from the scenario's seed. */
export function labNodeIds(scenario: Scenario, count: number): Uint8Array[] {
  const rng = Rng.derive(scenario.seed, 'dht-ids');
  return Array.from({ length: count }, () => rng.bytes(20));
}

/**
 * What an actor is: a small behavior that plans the queries it would send,
 * in time order, from the addresses the scenario gave it. The same plan
 * drives the live lab (real datagrams on loopback, on a scaled clock) and
 * the trace generator (events written straight to the store), so both
 * modes show the detectors the same behavior.
 */
import type { z } from 'zod';
import type { Catalogue } from './catalogue.ts';
import type { Rng } from './rng.ts';

/** The queries an actor can send; the lab answers or records each as a DHT node would. */
export type PlannedMethod =
  | 'ping'
  | 'find_node'
  | 'get_peers'
  | 'announce_peer'
  | 'sample_infohashes';

export interface PlannedQuery {
  /** Lab time, milliseconds since the scenario's start. */
  at: number;
  /** Which of the actor's addresses sends it (index into ActorContext.addresses). */
  from: number;
  /** The node id the sender claims. */
  nodeId: Uint8Array;
  /**
   * Copy this many leading bits of the receiving node's id into `nodeId`
   * (a crawler trick: an id close to the node it asks lands in that node's
   * own bucket). The runner applies it per destination.
   */
  idFromDestination?: number;
  method: PlannedMethod;
  /** info_hash for get_peers/announce_peer, target for find_node/sample_infohashes; ping ignores it. */
  target: Uint8Array;
  /** announce_peer's port argument (default: the sender's UDP port with implied_port). */
  announcePort?: number;
  /** A fixed transaction id (a fingerprint some tools have); the runner draws one when absent. */
  txid?: Uint8Array;
  /** The `v` field (client version), absent when the tool sends none. */
  version?: Uint8Array;
  /**
   * How many nodes receive it: the `fanout` closest to `target` among every
   * node of the lab (lab nodes and the sensor's identities alike), as the last
   * step of an iterative lookup reaches them. Default 8 (k).
   */
  fanout?: number;
}

/** A label the scenario attaches to a subject, for `lab eval` to score. */
export interface SubjectLabel {
  /** `address` (a remote IP) or `infohash` (hex). */
  kind: 'address' | 'infohash';
  key: string;
  label: string;
}

export interface ActorAddress {
  ip: string;
  port: number;
}

export interface ActorContext {
  /** This actor's own random stream (derived from the scenario seed and the actor's name). */
  rng: Rng;
  /** Lab duration in milliseconds; plans end before it. */
  durationMs: number;
  /** The addresses this actor sends from (as many as `addressesFor` asked for). */
  addresses: readonly ActorAddress[];
  /** The scenario's shared infohash catalogue (popular and rare content). */
  catalogue: Catalogue;
}

export interface Behavior<P> {
  /** The name scenario files use in `behavior:`. */
  readonly name: string;
  /** One line for docs and errors. */
  readonly summary: string;
  /** The label this behavior carries unless the scenario gives another. */
  readonly defaultLabel: string;
  /** The behavior's parameters with their defaults; unknown keys are errors. */
  readonly params: z.ZodType<P>;
  /** How many source addresses one instance needs (a campaign or a fleet needs several). */
  addressesFor(params: P): number;
  /** The queries of one instance, in non-decreasing `at` order. */
  plan(context: ActorContext, params: P): Iterable<PlannedQuery>;
  /** Labels on infohashes this instance makes meaningful (a swarm's hash, a monitor's targets). */
  hashLabels?(context: ActorContext, params: P): SubjectLabel[];
}

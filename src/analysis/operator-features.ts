/**
 * Per-address features: what one remote address sent, as counts and shares,
 * computed from its events in time order. Every detector reads these (and
 * the ordered events); operator_profiles stores the main ones.
 */
import type { EventKind } from '../store/schema.ts';

/** The columns of an event that detection needs (the rest of a row stays in the store). */
export interface OperatorEvent {
  /** µs since the epoch (lab time in a lab). */
  ts: number;
  kind: EventKind;
  target?: string | undefined;
  remoteId?: string | undefined;
  /**
   * The transaction id, or any value standing for it one to one: detection
   * only counts and compares them, so the store reader hands out its
   * number per distinct id rather than a string per event.
   */
  txid?: string | number | undefined;
  sensorId?: string | undefined;
  /** Client name and version decoded from `v`, when sent. */
  client?: string | undefined;
}

/** One address and its queries in time order. */
export interface OperatorTrack {
  remoteIp: string;
  asn?: number | undefined;
  org?: string | undefined;
  country?: string | undefined;
  events: OperatorEvent[];
  /** Queries beyond the stored events (a reader caps what it keeps per address); counted, not analysed. */
  dropped?: number;
  /**
   * Distinct targets among `events`, counted by a reader that numbers the
   * targets (operator-stream.ts): counting numbers costs a fraction of
   * hashing the strings. Detectors count from the events when absent.
   */
  distinct?: DistinctTargets;
}

export interface DistinctTargets {
  /** Of every query but ping: OperatorFeatures.uniqueTargets. */
  targets: number;
  /** Of the lookups (isLookup): what sweeps and prefix walks count. */
  lookupTargets: number;
}

/** Event kinds that are queries an operator sent (responses, errors and malformed datagrams are not). */
export const QUERY_KINDS: readonly EventKind[] = [
  'ping',
  'find_node',
  'get_peers',
  'announce_peer',
  'sample_infohashes',
  'get',
  'put',
  'other',
];

/** Queries whose target walks the keyspace: what sweeps, walks and bursts are made of. */
export function isLookup(kind: EventKind): boolean {
  return kind === 'get_peers' || kind === 'find_node' || kind === 'sample_infohashes';
}

export interface OperatorFeatures {
  remoteIp: string;
  asn?: number | undefined;
  org?: string | undefined;
  country?: string | undefined;
  firstSeen: number;
  lastSeen: number;
  spanUs: number;
  queries: number;
  /** Events analysed (queries less any dropped by the reader's cap): the base of every share. */
  analysed: number;
  kinds: Readonly<Partial<Record<EventKind, number>>>;
  /** get_peers + find_node + sample_infohashes. */
  lookups: number;
  uniqueTargets: number;
  nodeIds: number;
  distinctTxids: number;
  /** Share of events carrying the most common transaction id. */
  topTxidShare: number;
  /** Client versions seen (`v`), most frequent first. */
  clients: string[];
}

export function kindCount(f: OperatorFeatures, kind: EventKind): number {
  return f.kinds[kind] ?? 0;
}

export function kindShare(f: OperatorFeatures, kind: EventKind): number {
  return f.analysed === 0 ? 0 : kindCount(f, kind) / f.analysed;
}

export function computeOperatorFeatures(track: OperatorTrack): OperatorFeatures {
  const kinds: Partial<Record<EventKind, number>> = {};
  const targets = new Set<string>();
  const counting = track.distinct === undefined;
  const ids = new Set<string>();
  const txids = new Map<string | number, number>();
  const clients = new Map<string, number>();
  let lookups = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  // An address repeats its kind, node id, transaction id and client from query to query:
  // runs of the same value are counted here and added to the tables when they end, which
  // spares most of the table lookups.
  let kind: EventKind | undefined;
  let kindRun = 0;
  let id: string | undefined;
  let txid: string | number | undefined;
  let txidRun = 0;
  let client: string | undefined;
  let clientRun = 0;
  for (const e of track.events) {
    if (e.kind !== kind) {
      if (kind !== undefined) kinds[kind] = (kinds[kind] ?? 0) + kindRun;
      kind = e.kind;
      kindRun = 0;
    }
    kindRun++;
    if (isLookup(e.kind)) lookups++;
    if (counting && e.target !== undefined && e.kind !== 'ping') targets.add(e.target);
    if (e.remoteId !== id) {
      id = e.remoteId;
      if (id !== undefined) ids.add(id);
    }
    if (e.txid !== txid) {
      if (txid !== undefined) txids.set(txid, (txids.get(txid) ?? 0) + txidRun);
      txid = e.txid;
      txidRun = 0;
    }
    txidRun++;
    if (e.client !== client) {
      if (client !== undefined) clients.set(client, (clients.get(client) ?? 0) + clientRun);
      client = e.client;
      clientRun = 0;
    }
    clientRun++;
    if (e.ts < first) first = e.ts;
    if (e.ts > last) last = e.ts;
  }
  if (kind !== undefined) kinds[kind] = (kinds[kind] ?? 0) + kindRun;
  if (txid !== undefined) txids.set(txid, (txids.get(txid) ?? 0) + txidRun);
  if (client !== undefined) clients.set(client, (clients.get(client) ?? 0) + clientRun);
  const events = track.events.length;
  let topTxid = 0;
  for (const n of txids.values()) if (n > topTxid) topTxid = n;
  if (events === 0) first = last = 0;
  return {
    remoteIp: track.remoteIp,
    asn: track.asn,
    org: track.org,
    country: track.country,
    firstSeen: first,
    lastSeen: last,
    spanUs: last - first,
    queries: events + (track.dropped ?? 0),
    analysed: events,
    kinds,
    lookups,
    uniqueTargets: track.distinct?.targets ?? targets.size,
    nodeIds: ids.size,
    distinctTxids: txids.size,
    topTxidShare: events === 0 ? 0 : topTxid / events,
    clients: [...clients.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name),
  };
}

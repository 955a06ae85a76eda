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
  const ids = new Set<string>();
  const txids = new Map<string | number, number>();
  const clients = new Map<string, number>();
  let lookups = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const e of track.events) {
    kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
    if (isLookup(e.kind)) lookups++;
    if (e.target !== undefined && e.kind !== 'ping') targets.add(e.target);
    if (e.remoteId !== undefined) ids.add(e.remoteId);
    if (e.txid !== undefined) txids.set(e.txid, (txids.get(e.txid) ?? 0) + 1);
    if (e.client !== undefined) clients.set(e.client, (clients.get(e.client) ?? 0) + 1);
    if (e.ts < first) first = e.ts;
    if (e.ts > last) last = e.ts;
  }
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
    uniqueTargets: targets.size,
    nodeIds: ids.size,
    distinctTxids: txids.size,
    topTxidShare: events === 0 ? 0 : topTxid / events,
    clients: [...clients.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name),
  };
}

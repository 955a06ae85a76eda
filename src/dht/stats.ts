/** The counters a node keeps. Plain numbers, read at any time; nothing resets them. */
import { allRejectReasons, QUERY_METHODS, type QueryMethod } from '../protocol/krpc/index.ts';

export type MethodCounts = Record<QueryMethod | 'unknown', number>;

export interface DhtNodeStats {
  /** Datagrams received. */
  received: number;
  /** Datagrams that were not valid KRPC, per reason code (every code pre-registered at 0). */
  malformed: Record<string, number>;
  /** Well-formed queries received, per method. */
  queries: MethodCounts;
  /** Responses we sent, per method answered. */
  answered: MethodCounts;
  /** KRPC errors we sent, per code ("203", "204"). */
  errorsSent: Record<string, number>;
  /** Queries dropped by the per-remote rate limit, never answered. */
  rateLimited: number;
  /** Outgoing datagrams the policy refused. */
  blockedSends: number;
  /** Queries we sent (first attempts). */
  queriesSent: number;
  /** Re-sends after a timeout. */
  retries: number;
  /** Queries unanswered after every retry. */
  timeouts: number;
  /** Responses matched to one of our queries. */
  responses: number;
  /** KRPC errors matched to one of our queries. */
  errorResponses: number;
  /** Responses and errors matching no query of ours (late, spoofed, or from elsewhere). */
  unsolicited: number;
  /** Queries refused because `maxPendingQueries` were in flight. */
  overloaded: number;
  /** Pings sent to keep the routing table up (newcomers, questionable nodes). */
  upkeepPings: number;
  /** Upkeep pings skipped by their rate limit. */
  upkeepPingsSkipped: number;
  /** Bucket refresh lookups started. */
  refreshes: number;
}

export function newNodeStats(): DhtNodeStats {
  const perMethod = (): MethodCounts => {
    const counts = { unknown: 0 } as MethodCounts;
    for (const method of QUERY_METHODS) counts[method] = 0;
    return counts;
  };
  const malformed: Record<string, number> = {};
  for (const reason of allRejectReasons()) malformed[reason] = 0;
  return {
    received: 0,
    malformed,
    queries: perMethod(),
    answered: perMethod(),
    errorsSent: { '201': 0, '202': 0, '203': 0, '204': 0 },
    rateLimited: 0,
    blockedSends: 0,
    queriesSent: 0,
    retries: 0,
    timeouts: 0,
    responses: 0,
    errorResponses: 0,
    unsolicited: 0,
    overloaded: 0,
    upkeepPings: 0,
    upkeepPingsSkipped: 0,
    refreshes: 0,
  };
}

/** Adds one to a counter of a record, creating it if a new key shows up. */
export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

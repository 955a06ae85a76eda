/**
 * Campaigns tracked across days: the operations behind the per-address
 * classes, as one row however many days they run.
 *
 * - distributed_campaign: the profiles' distributed-campaign members (one
 *   sweep split among addresses), grouped by their campaign;
 * - scheduled_monitoring: periodic monitors (a watch list on a schedule);
 * - persistent_observer: any other address that comes back to the same
 *   infohashes on at least `minDays` UTC days without ever announcing them,
 *   those lookups being at least `minWatchedShare` of all it asks (a user
 *   who fetches one popular torrent twice a week is not watching it).
 *
 * Addresses that operator_clusters or a profile campaign joins are one
 * campaign, its kind the most specific among its members (campaign, then
 * monitoring, then observer). The id is the kind's prefix and a digest of
 * the sorted members, so a recompute over more days keeps it as long as
 * the members stay the same.
 */

import { createHash } from 'node:crypto';
import { DisjointSets } from '../disjoint-sets.ts';
import { compareIp } from './clustering.ts';

export const CAMPAIGN_TRACKING_DEFAULTS = {
  /** Days a hash must be looked up on, without an announce, to be watched. */
  minDays: 3,
  /** Share of an address's get_peers that must go to watched hashes. */
  minWatchedShare: 0.5,
  /** get_peers of watched hashes an observer needs. */
  minWatchedLookups: 10,
};

export type CampaignTrackingConfig = typeof CAMPAIGN_TRACKING_DEFAULTS;

export type CampaignKind = 'persistent_observer' | 'scheduled_monitoring' | 'distributed_campaign';

/** Addresses that qualify for a campaign, with the operator_profiles class and group and the watch figures. */
export function campaignMembersSql(c: CampaignTrackingConfig): string {
  return `
    WITH gp AS (
      SELECT remote_ip, hash(target) AS k, count(*) AS n,
        count(DISTINCT epoch_ms(ts) // 86400000) AS days
      FROM events WHERE kind = 'get_peers' AND target IS NOT NULL GROUP BY remote_ip, k),
    ann AS (
      SELECT DISTINCT remote_ip, hash(target) AS k FROM events
      WHERE kind = 'announce_peer' AND target IS NOT NULL),
    watched AS (
      SELECT remote_ip, count(*) AS hashes, sum(n) AS lookups
      FROM (SELECT * FROM gp WHERE days >= ${c.minDays}) ANTI JOIN ann USING (remote_ip, k)
      GROUP BY remote_ip),
    totals AS (SELECT remote_ip, sum(n) AS lookups FROM gp GROUP BY remote_ip),
    observers AS (
      SELECT w.remote_ip, w.hashes AS watched_hashes, w.lookups AS watched_lookups, t.lookups
      FROM watched w JOIN totals t USING (remote_ip)
      WHERE w.lookups >= ${c.minWatchedLookups} AND w.lookups >= ${c.minWatchedShare} * t.lookups)
    SELECT p.remote_ip, p.asn, p.class, p.group_id, p.why,
      o.watched_hashes, o.watched_lookups, o.lookups
    FROM operator_profiles p LEFT JOIN observers o USING (remote_ip)
    WHERE p.class IN ('periodic_monitor', 'distributed_campaign') OR o.remote_ip IS NOT NULL`;
}

export interface CampaignMember {
  remoteIp: string;
  asn?: number | undefined;
  class: string;
  groupId?: string | undefined;
  /** The profile's evidence for its class. */
  why: string;
  watchedHashes?: number | undefined;
  watchedLookups?: number | undefined;
  lookups?: number | undefined;
  /** The operator_clusters cluster it is in, if any. */
  clusterId?: string | undefined;
}

export interface CampaignGroup {
  campaignId: string;
  kind: CampaignKind;
  members: CampaignMember[];
}

const PREFIX: Record<CampaignKind, string> = {
  distributed_campaign: 'dc',
  scheduled_monitoring: 'sm',
  persistent_observer: 'po',
};

/** Joins members sharing a profile campaign or a cluster; one group per campaign. */
export function groupCampaigns(members: readonly CampaignMember[]): CampaignGroup[] {
  const sets = new DisjointSets(members.length);
  const firstWith = new Map<string, number>();
  members.forEach((m, i) => {
    for (const key of [
      m.groupId === undefined ? undefined : `g ${m.groupId}`,
      m.clusterId === undefined ? undefined : `c ${m.clusterId}`,
    ]) {
      if (key === undefined) continue;
      const j = firstWith.get(key);
      if (j === undefined) firstWith.set(key, i);
      else sets.union(i, j);
    }
  });
  const groups = new Map<number, CampaignMember[]>();
  members.forEach((m, i) => {
    const r = sets.find(i);
    groups.set(r, [...(groups.get(r) ?? []), m]);
  });
  return [...groups.values()].map((group) => {
    group.sort((a, b) => compareIp(a.remoteIp, b.remoteIp));
    const kind: CampaignKind = group.some((m) => m.class === 'distributed_campaign')
      ? 'distributed_campaign'
      : group.some((m) => m.class === 'periodic_monitor')
        ? 'scheduled_monitoring'
        : 'persistent_observer';
    const digest = createHash('sha1')
      .update(group.map((m) => m.remoteIp).join(','))
      .digest('hex')
      .slice(0, 10);
    return { campaignId: `${PREFIX[kind]}-${digest}`, kind, members: group };
  });
}

/** UTC days (days since the epoch) as runs: 2026-01-05…2026-01-07,2026-01-09. */
export function dayRuns(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(i === j ? iso(sorted[i]!) : `${iso(sorted[i]!)}…${iso(sorted[j]!)}`);
    i = j + 1;
  }
  return runs.join(',');
}

/**
 * `compute` step for campaigns (campaigns.ts): qualifying addresses from the
 * profiles and the events, joined through operator_clusters, then each
 * campaign's days, hashes and lookups from its members' events. Runs after
 * the operator profiles and the clustering. Settings come from the config
 * file's `campaigns` section, flat: the keys of CAMPAIGN_TRACKING_DEFAULTS.
 */
import { CAMPAIGNS } from '../../store/tables-coordination.ts';
import { type AnalysisStep, type StepResult, withOverrides } from '../step.ts';
import { textTable, writeRows } from '../write-rows.ts';
import {
  CAMPAIGN_TRACKING_DEFAULTS,
  type CampaignGroup,
  type CampaignMember,
  type CampaignTrackingConfig,
  campaignMembersSql,
  dayRuns,
  groupCampaigns,
} from './campaigns.ts';

export function resolveCampaignTrackingConfig(
  overrides?: Readonly<Record<string, unknown>>,
): CampaignTrackingConfig {
  return withOverrides(CAMPAIGN_TRACKING_DEFAULTS, overrides, 'campaigns');
}

const opt = (v: unknown) => (v == null ? undefined : Number(v));

interface Activity {
  first: number;
  last: number;
  days: number[];
  hashes: number;
  lookups: number;
}

/** Each fingerprint signal of the members, with how many show it, most shared first: constant_txid×3,many_node_ids×1. */
function signalSummary(g: CampaignGroup, signalsOf: ReadonlyMap<string, string[]>): string {
  const counts = new Map<string, number>();
  for (const m of g.members)
    for (const s of signalsOf.get(m.remoteIp) ?? []) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
    .map(([s, n]) => `${s}×${n}`)
    .join(',');
}

/** The evidence in words, with the members' tool fingerprints when they have any. */
function whyOf(g: CampaignGroup, a: Activity, c: CampaignTrackingConfig, signals: string): string {
  const tools = signals === '' ? '' : `; tool fingerprints: ${signals}`;
  const asns = new Set(g.members.map((m) => m.asn ?? m.remoteIp)).size;
  const who = `${g.members.length} address${g.members.length === 1 ? '' : 'es'} in ${asns} network${asns === 1 ? '' : 's'}`;
  const span = `${a.days.length} day${a.days.length === 1 ? '' : 's'} active`;
  const joined = g.members.some((m) => m.clusterId !== undefined)
    ? ` (joined by ${[...new Set(g.members.flatMap((m) => (m.clusterId === undefined ? [] : [m.clusterId])))].join(', ')})`
    : '';
  const example = g.members[0]!;
  if (g.kind === 'distributed_campaign') {
    const campaigns = [
      ...new Set(g.members.flatMap((m) => (m.groupId === undefined ? [] : [m.groupId]))),
    ];
    return `${who} split one keyspace sweep (${campaigns.join(', ')})${joined}; ${span}, ${a.lookups} lookups of ${a.hashes} hashes; ${example.remoteIp}: ${example.why}${tools}`;
  }
  if (g.kind === 'scheduled_monitoring') {
    const monitor = g.members.find((m) => m.class === 'periodic_monitor') ?? example;
    return `${who} look up a watch list on a schedule${joined}; ${span}, ${a.lookups} lookups of ${a.hashes} hashes; ${monitor.remoteIp}: ${monitor.why}${tools}`;
  }
  const watched = g.members.reduce((s, m) => s + (m.watchedLookups ?? 0), 0);
  const all = g.members.reduce((s, m) => s + (m.lookups ?? 0), 0);
  return `${who} return to the same infohashes on ≥ ${c.minDays} days without announcing them${joined}: ${watched} of ${all} lookups (${Math.round((100 * watched) / Math.max(all, 1))} %); ${span}, ${a.hashes} hashes${tools}`;
}

export const campaignsStep: AnalysisStep = {
  name: 'campaigns (tracked across days)',
  tables: [CAMPAIGNS],
  async run(context): Promise<StepResult> {
    const c = resolveCampaignTrackingConfig(context.config['campaigns']);
    return context.reader.withFreshViews(async (duck) => {
      context.onProgress(0, 2);
      const clusterOf = new Map<string, string>();
      for (const r of await duck.rows('SELECT cluster_id, addresses FROM operator_clusters'))
        for (const ip of String(r.addresses).split(', ')) clusterOf.set(ip, String(r.cluster_id));
      const members: CampaignMember[] = (await duck.rows(campaignMembersSql(c))).map((r) => ({
        remoteIp: String(r.remote_ip),
        asn: opt(r.asn),
        class: String(r.class),
        groupId: r.group_id == null ? undefined : String(r.group_id),
        why: String(r.why),
        watchedHashes: opt(r.watched_hashes),
        watchedLookups: opt(r.watched_lookups),
        lookups: opt(r.lookups),
        clusterId: clusterOf.get(String(r.remote_ip)),
      }));
      const groups = groupCampaigns(members);
      // Tool fingerprints feed the campaigns: members sharing one tool's marks are one more tie.
      const signalsOf = new Map<string, string[]>();
      for (const r of await duck.rows('SELECT remote_ip, signals FROM fingerprints'))
        signalsOf.set(String(r.remote_ip), String(r.signals).split(','));
      context.onProgress(1, 2);
      await textTable(
        duck,
        'cp_members',
        ['cid', 'ip'],
        groups.flatMap((g) => g.members.map((m) => [g.campaignId, m.remoteIp])),
      );
      const activity = new Map<string, Activity>();
      for (const r of await duck.rows(`
        SELECT m.cid, epoch_us(min(e.ts))::DOUBLE AS first, epoch_us(max(e.ts))::DOUBLE AS last,
          list(DISTINCT (epoch_ms(e.ts) // 86400000)::INTEGER) AS days,
          count(DISTINCT e.target) FILTER (WHERE e.kind = 'get_peers')::INTEGER AS hashes,
          count(*) FILTER (WHERE e.kind = 'get_peers')::INTEGER AS lookups
        FROM events e JOIN cp_members m ON e.remote_ip = m.ip GROUP BY m.cid`))
        activity.set(String(r.cid), {
          first: Number(r.first),
          last: Number(r.last),
          days: (r.days as number[]).map(Number),
          hashes: Number(r.hashes),
          lookups: Number(r.lookups),
        });
      await duck.run('DROP TABLE cp_members');
      const rows = await writeRows(
        duck,
        context.reader.layout,
        CAMPAIGNS,
        groups.flatMap((g) => {
          const a = activity.get(g.campaignId);
          if (a === undefined) return [];
          const signals = signalSummary(g, signalsOf);
          const asns = [
            ...new Set(g.members.flatMap((m) => (m.asn === undefined ? [] : [m.asn]))),
          ].sort((x, y) => x - y);
          return [
            {
              campaignId: g.campaignId,
              kind: g.kind,
              firstSeen: a.first,
              lastSeen: a.last,
              daysActive: a.days.length,
              activeDays: dayRuns(a.days),
              members: g.members.length,
              addresses: g.members.map((m) => m.remoteIp).join(', '),
              asns: asns.length,
              asnList: asns.map((x) => `AS${x}`).join(','),
              hashes: a.hashes,
              lookups: a.lookups,
              signals,
              why: whyOf(g, a, c, signals),
            },
          ];
        }),
        'kind DESC, members DESC, days_active DESC, campaign_id',
      );
      context.onProgress(2, 2);
      const byKind = new Map<string, number>();
      for (const g of groups) byKind.set(g.kind, (byKind.get(g.kind) ?? 0) + 1);
      const counts = [...byKind].map(([k, n]) => `${n} ${k}`).join(', ');
      return {
        rows: { [CAMPAIGNS.name]: rows },
        summary: `${rows} campaigns${counts === '' ? '' : ` (${counts})`}`,
      };
    });
  },
};

/**
 * `compute` step for operator clustering (clustering.ts): reads the
 * candidates (profiled addresses with enough lookups, their targets hashed
 * to 32 bits in DuckDB), finds and confirms links in JavaScript, and writes
 * `operator_clusters`. Runs after the operator profiles. Settings come from
 * the config file's `clustering` section, flat: the keys of
 * CLUSTERING_DEFAULTS.
 */
import type { Duck } from '../../store/duck.ts';
import { OPERATOR_CLUSTERS } from '../../store/tables-coordination.ts';
import { type AnalysisStep, type StepResult, withOverrides } from '../step.ts';
import { textTable, writeRows } from '../write-rows.ts';
import {
  buildClusters,
  CLUSTERING_DEFAULTS,
  type ClusterCandidate,
  type ClusteringConfig,
  candidatePairs,
} from './clustering.ts';
import type { HourlyActivity } from './similarity.ts';

export function resolveClusteringConfig(
  overrides?: Readonly<Record<string, unknown>>,
): ClusteringConfig {
  return withOverrides(CLUSTERING_DEFAULTS, overrides, 'clustering');
}

/** Classes whose addresses are users, not operators (see includeNormalClients). */
const NORMAL_CLASSES = "'normal_client', 'swarm_peer', 'dht_node'";

function candidatesSql(c: ClusteringConfig): string {
  const eligible =
    c.includeNormalClients === 0
      ? `AND remote_ip IN (SELECT remote_ip FROM operator_profiles WHERE class NOT IN (${NORMAL_CLASSES}))`
      : '';
  return `
    WITH lk AS (
      SELECT remote_ip, count(*)::INTEGER AS lookups,
        list(DISTINCT (hash(target) & 4294967295)::UINTEGER) AS hs
      FROM events WHERE kind = 'get_peers' AND target IS NOT NULL ${eligible}
      GROUP BY remote_ip HAVING count(*) >= ${c.minLookups})
    SELECT p.remote_ip, p.asn::DOUBLE AS asn, p.group_id, p.class,
      p.get_peers_share, p.announce_share, p.find_node_share, p.ping_share,
      p.sample_infohashes_share, p.rate_per_hour,
      p.unique_targets / greatest(p.queries, 1) AS tpq,
      epoch_us(p.first_seen)::DOUBLE AS first_us, epoch_us(p.last_seen)::DOUBLE AS last_us,
      lk.lookups, lk.hs
    FROM operator_profiles p JOIN lk USING (remote_ip)
    ORDER BY p.remote_ip`;
}

async function readCandidates(duck: Duck, c: ClusteringConfig): Promise<ClusterCandidate[]> {
  // Columns rather than row objects: at 100,000 addresses the row objects cost more than the work.
  const reader = await duck.connection.runAndReadAll(candidatesSql(c));
  // With no rows DuckDB's column view has no columns at all, not empty ones.
  if (reader.currentRowCount === 0) return [];
  const col = reader.getColumnsJS() as unknown[][];
  const at = (name: string) => col[reader.columnNames().indexOf(name)]!;
  const [ip, asn, group, cls, gp, ann, fn, ping, si, rate, tpq, first, last, lookups, hs] = [
    'remote_ip',
    'asn',
    'group_id',
    'class',
    'get_peers_share',
    'announce_share',
    'find_node_share',
    'ping_share',
    'sample_infohashes_share',
    'rate_per_hour',
    'tpq',
    'first_us',
    'last_us',
    'lookups',
    'hs',
  ].map(at) as unknown[][];
  return ip!.map((remoteIp, i) => ({
    remoteIp: String(remoteIp),
    asn: asn![i] == null ? undefined : Number(asn![i]),
    groupId: group![i] == null ? undefined : String(group![i]),
    features: {
      class: String(cls![i]),
      getPeersShare: Number(gp![i]),
      announceShare: Number(ann![i]),
      findNodeShare: Number(fn![i]),
      pingShare: Number(ping![i]),
      sampleInfohashesShare: Number(si![i]),
      ratePerHour: Number(rate![i]),
      targetsPerQuery: Number(tpq![i]),
    },
    hashes: hs![i] as number[],
    lookups: Number(lookups![i]),
    firstUs: Number(first![i]),
    lastUs: Number(last![i]),
  }));
}

/** Hourly activity of the given addresses only: those in a candidate pair. */
async function readHourly(
  duck: Duck,
  ips: readonly string[],
): Promise<Map<string, HourlyActivity>> {
  const out = new Map<string, Map<number, number>>();
  if (ips.length === 0) return out;
  await textTable(
    duck,
    'oc_ips',
    ['ip'],
    ips.map((ip) => [ip]),
  );
  const rows = await duck.rows(
    `SELECT remote_ip, (epoch_ms(ts) // 3600000)::INTEGER AS h, count(*)::INTEGER AS n FROM events
     WHERE remote_ip IN (SELECT ip FROM oc_ips) GROUP BY ALL`,
  );
  await duck.run('DROP TABLE oc_ips');
  for (const r of rows) {
    const ip = String(r.remote_ip);
    const m = out.get(ip) ?? new Map<number, number>();
    out.set(ip, m);
    m.set(Number(r.h), Number(r.n));
  }
  return out;
}

export const clusteringStep: AnalysisStep = {
  name: 'operator clustering (hash overlap, timing, behavior)',
  tables: [OPERATOR_CLUSTERS],
  async run(context): Promise<StepResult> {
    const c = resolveClusteringConfig(context.config['clustering']);
    return context.reader.withFreshViews(async (duck) => {
      context.onProgress(0, 3);
      const candidates = await readCandidates(duck, c);
      context.onProgress(1, 3);
      const pairs = candidatePairs(candidates, c);
      const involved = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].map(
        (i) => candidates[i]!.remoteIp,
      );
      const hourly = await readHourly(duck, involved);
      context.onProgress(2, 3);
      const clusters = buildClusters(candidates, pairs, hourly, c);
      const rows = await writeRows(
        duck,
        context.reader.layout,
        OPERATOR_CLUSTERS,
        clusters.map((k) => ({
          ...k,
          members: k.members.length,
          addresses: k.members.join(', '),
          asns: k.asns.length,
          asnList: k.asns.map((a) => `AS${a}`).join(','),
          firstSeen: k.firstUs,
          lastSeen: k.lastUs,
        })),
        'coordination_score DESC, members DESC, cluster_id',
      );
      context.onProgress(3, 3);
      const networks = clusters.filter((k) => k.asns.length >= 2).length;
      return {
        rows: { [OPERATOR_CLUSTERS.name]: rows },
        summary: `${rows} clusters (${networks} across networks) from ${candidates.length} addresses, ${pairs.length} candidate pairs`,
      };
    });
  },
};

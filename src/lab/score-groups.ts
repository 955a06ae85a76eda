/**
 * Scores fleets: groups of addresses the lab runs as one operator (a
 * distributed campaign's members, a takedown service's observers) against
 * the groups the clustering found (operator_clusters). For each true group,
 * the cluster sharing most members with it is its match; members found is
 * the share of the group's seen addresses in that cluster (recall), and
 * member precision the share of the cluster that belongs to the group. A
 * cluster that matches no true group is spurious.
 */

export interface TrueGroup {
  /** The actor that runs the group (ground-truth `actor`). */
  actor: string;
  /** The ground-truth label of its members. */
  label: string;
  members: readonly string[];
}

export interface FoundGroup {
  id: string;
  members: readonly string[];
}

export interface GroupScore {
  actor: string;
  label: string;
  /** Members the sensor heard from. */
  seen: number;
  /** The best-matching cluster, if any shares a member. */
  cluster?: string;
  /** Seen members in that cluster. */
  found: number;
  /** found / seen. */
  recall: number | null;
  /** found / the cluster's size. */
  precision: number | null;
}

export interface GroupsReport {
  groups: GroupScore[];
  /** Clusters matching no true group: addresses joined that the lab never ran together. */
  spurious: string[];
  /** Mean over groups with a seen member. */
  meanRecall: number | null;
  meanPrecision: number | null;
}

export function scoreGroups(
  truth: readonly TrueGroup[],
  found: readonly FoundGroup[],
  seenAddresses: ReadonlySet<string>,
): GroupsReport {
  const matched = new Set<string>();
  const groups = truth.map((group): GroupScore => {
    const seen = group.members.filter((m) => seenAddresses.has(m));
    let best: { id: string; found: number; size: number } | undefined;
    for (const cluster of found) {
      const inCluster = new Set(cluster.members);
      const n = seen.filter((m) => inCluster.has(m)).length;
      if (n > 0 && (best === undefined || n > best.found))
        best = { id: cluster.id, found: n, size: cluster.members.length };
    }
    if (best !== undefined) matched.add(best.id);
    return {
      actor: group.actor,
      label: group.label,
      seen: seen.length,
      ...(best === undefined ? {} : { cluster: best.id }),
      found: best?.found ?? 0,
      recall: seen.length === 0 ? null : (best?.found ?? 0) / seen.length,
      precision: best === undefined ? null : best.found / best.size,
    };
  });
  const mean = (xs: (number | null)[]) => {
    const known = xs.filter((x): x is number => x !== null);
    return known.length === 0 ? null : known.reduce((s, x) => s + x, 0) / known.length;
  };
  const scored = groups.filter((g) => g.seen > 0);
  return {
    groups,
    spurious: found.filter((c) => !matched.has(c.id)).map((c) => c.id),
    meanRecall: mean(scored.map((g) => g.recall)),
    // A group the clustering missed entirely has no precision to speak of; recall counts it.
    meanPrecision: mean(scored.map((g) => g.precision)),
  };
}

/**
 * The lab's fleets from ground-truth address labels: actors with several
 * addresses whose label is an operator class (not users: a swarm's or a
 * flash crowd's peers share hashes by popularity, not by design).
 */
export function trueGroups(
  labels: readonly { kind: string; key: string; label: string; actor: string }[],
  operatorLabels: ReadonlySet<string>,
): TrueGroup[] {
  const byActor = new Map<string, TrueGroup & { members: string[] }>();
  for (const l of labels) {
    if (l.kind !== 'address' || !operatorLabels.has(l.label)) continue;
    const group = byActor.get(l.actor) ?? { actor: l.actor, label: l.label, members: [] };
    group.members.push(l.key);
    byActor.set(l.actor, group);
  }
  return [...byActor.values()].filter((g) => g.members.length >= 2);
}

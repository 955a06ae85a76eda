/**
 * `lab eval`'s core: run the detectors over a lab's store, read what they
 * concluded, and score it against the ground truth written beside the events.
 */
import { computeOperatorProfiles } from '../analysis/operator-profiles.ts';
import { StoreReader } from '../store/reader.ts';
import { readGroundTruth } from './ground-truth.ts';
import { type Prediction, type ScoreReport, scorePredictions } from './score.ts';

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
  /** Every address the detectors put in a class other than normal_client and dht_node. */
  findings: Finding[];
}

export async function evaluate(
  dataDir: string,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<Evaluation> {
  const truth = readGroundTruth(dataDir);
  const reader = await StoreReader.open(dataDir);
  try {
    await computeOperatorProfiles(
      reader,
      options.onProgress === undefined ? {} : { onProgress: options.onProgress },
    );
    const rows = (
      await reader.query(
        `SELECT remote_ip, asn, org, country, class, confidence, why, group_id, queries FROM operator_profiles ORDER BY class, remote_ip`,
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
    const scores = scorePredictions(
      truth.labels
        .filter((l) => l.kind === 'address')
        .map((l) => ({ kind: l.kind, key: l.key, label: l.label })),
      predictions,
    );
    return {
      scenario: truth.scenario,
      mode: truth.mode,
      events: n,
      addresses: rows.length,
      scores,
      findings,
    };
  } finally {
    reader.close();
  }
}

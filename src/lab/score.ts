/**
 * Scoring detectors against a lab's ground truth: pure, no I/O. This is the
 * `--json` format of `dhtscope lab eval` (its `scores` member), so the shape
 * below is stable; new members may be added, none renamed or removed.
 *
 * {
 *   "subjects": { "labelled": 240, "seen": 231, "unseen": 9, "unlabelled": 3 },
 *   "classes": {                       // every label or prediction, sorted by name
 *     "<class>": {
 *       "support": 20,                 // labelled subjects of the class the sensor saw
 *       "predicted": 19,               // seen labelled subjects predicted as the class
 *       "truePositives": 19,
 *       "precision": 1,                // null when nothing was predicted as the class
 *       "recall": 0.95,                // null when support is 0
 *       "f1": 0.97,                    // null when precision or recall is null
 *       "unseen": 2                    // labelled subjects of the class the sensor never saw
 *     }
 *   },
 *   "macro": { "precision": 0.96, "recall": 0.95, "f1": 0.95, "classes": 10 },
 *   "confusion": { "<label>": { "<predicted>": 12 } },   // seen subjects only; zeros left out
 *   "unseen": { "<label>": 2 },        // the never-seen subjects, by label
 *   "unlabelled": { "<predicted>": 3 },// predictions for subjects with no label, by class
 *   "falseFlagRate": 0.005,            // normal clients predicted as anything else; null without any
 *   "hashLabels": { … }                // infohash labels, below (absent when not scored)
 * }
 *
 * Infohash labels are multi-label (a hash can be an observer target, a dead
 * swarm and of high ASN interest at once), so each label is scored as its
 * own yes/no question over the hashes the sensor saw (`scoreHashLabels`):
 *
 * "hashLabels": {
 *   "subjects": {
 *     "seen": 5210,                    // distinct infohashes the sensor saw (get_peers/announce_peer)
 *     "profiled": 412,                 // of those, with a profile (enough events to judge)
 *     "labelled": 40,                  // infohashes the truth gives at least one label
 *     "labelledSeen": 14,              // of those, seen by the sensor
 *     "unseen": 26                     // labelled, never seen: not scored
 *   },
 *   "labels": {                        // every label of the truth or the predictions, sorted
 *     "<label>": {
 *       "support": 12,                 // seen hashes the truth gives the label
 *       "predicted": 12,               // seen hashes predicted with it
 *       "truePositives": 12,
 *       "precision": 1, "recall": 1, "f1": 1,   // null as for classes
 *       "unseen": 3,                   // hashes with the label the sensor never saw
 *       "belowGate": 0                 // of the support, seen too rarely to be profiled (misses)
 *     }
 *   },
 *   "macro": { "precision": 1, "recall": 1, "f1": 1, "labels": 6 }
 * }
 *
 * For one label, the positives are the seen hashes the truth gives it and
 * the negatives every other seen hash (unlabelled ones included: a
 * prediction there is a false positive). A labelled hash seen but below the
 * profile's minimum of events counts as a miss (`belowGate` says how many):
 * the sensor saw it, the detector declined to judge it.
 *
 * Decisions, documented because they change the numbers:
 * - A labelled subject with no prediction is `unseen`: the sensor never
 *   received a query from it (the lab's visibility, ~30 % of targeted
 *   queries, leaves some actors invisible). That is a limit of the vantage
 *   point, not an error of the detectors, so unseen subjects count in no
 *   precision, recall or confusion cell; they are reported beside them.
 * - A prediction for a subject with no label (an address outside the
 *   scenario) is counted in `unlabelled` and nowhere else.
 * - Subjects match on kind and key; keys compare case-insensitively (hex).
 * - Macro averages run over the classes with support > 0; a class with
 *   support but no predictions has precision 0 there (it is null in its row).
 * - Rates are rounded to 4 decimals.
 */

export interface Subject {
  kind: 'address' | 'infohash';
  key: string;
  label: string;
}

export type Prediction = Subject;

export interface ClassScore {
  support: number;
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  unseen: number;
}

export interface ScoreReport {
  subjects: { labelled: number; seen: number; unseen: number; unlabelled: number };
  classes: Record<string, ClassScore>;
  macro: { precision: number | null; recall: number | null; f1: number | null; classes: number };
  confusion: Record<string, Record<string, number>>;
  unseen: Record<string, number>;
  unlabelled: Record<string, number>;
  falseFlagRate: number | null;
  hashLabels?: HashLabelReport;
}

export interface HashLabelScore {
  support: number;
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  unseen: number;
  belowGate: number;
}

export interface HashLabelReport {
  subjects: {
    seen: number;
    profiled: number;
    labelled: number;
    labelledSeen: number;
    unseen: number;
  };
  labels: Record<string, HashLabelScore>;
  macro: { precision: number | null; recall: number | null; f1: number | null; labels: number };
}

/** The label whose false flags matter most: ordinary users wrongly called something else. */
export const NORMAL_LABEL = 'normal_client';

const subjectKey = (s: { kind: string; key: string }) => `${s.kind}\u0000${s.key.toLowerCase()}`;

export function scorePredictions(
  labels: readonly Subject[],
  predictions: readonly Prediction[],
): ScoreReport {
  const predicted = new Map<string, string>();
  for (const p of predictions) predicted.set(subjectKey(p), p.label);
  const labelled = new Map<string, string>();
  for (const l of labels) labelled.set(subjectKey(l), l.label);

  const confusion: Record<string, Record<string, number>> = {};
  const unseen: Record<string, number> = {};
  const unlabelled: Record<string, number> = {};
  const names = new Set<string>();
  let seen = 0;
  for (const [key, label] of labelled) {
    names.add(label);
    const guess = predicted.get(key);
    if (guess === undefined) {
      unseen[label] = (unseen[label] ?? 0) + 1;
      continue;
    }
    seen++;
    names.add(guess);
    const row = confusion[label] ?? {};
    confusion[label] = row;
    row[guess] = (row[guess] ?? 0) + 1;
  }
  for (const [key, guess] of predicted) {
    if (labelled.has(key)) continue;
    unlabelled[guess] = (unlabelled[guess] ?? 0) + 1;
  }

  const classes: Record<string, ClassScore> = {};
  for (const name of [...names].sort()) {
    const support = sum(Object.values(confusion[name] ?? {}));
    const predictedAs = sum(Object.values(confusion).map((row) => row[name] ?? 0));
    const tp = confusion[name]?.[name] ?? 0;
    const precision = predictedAs === 0 ? null : tp / predictedAs;
    const recall = support === 0 ? null : tp / support;
    classes[name] = {
      support,
      predicted: predictedAs,
      truePositives: tp,
      precision: rate(precision),
      recall: rate(recall),
      f1: rate(f1(precision, recall)),
      unseen: unseen[name] ?? 0,
    };
  }

  const scored = Object.values(classes).filter((c) => c.support > 0);
  const macro = (pick: (c: ClassScore) => number | null) =>
    scored.length === 0 ? null : rate(sum(scored.map((c) => pick(c) ?? 0)) / scored.length);

  const normalSeen = classes[NORMAL_LABEL]?.support ?? 0;
  const normalKept = classes[NORMAL_LABEL]?.truePositives ?? 0;
  return {
    subjects: {
      labelled: labelled.size,
      seen,
      unseen: labelled.size - seen,
      unlabelled: sum(Object.values(unlabelled)),
    },
    classes,
    macro: {
      precision: macro((c) => c.precision),
      recall: macro((c) => c.recall),
      f1: macro((c) => c.f1),
      classes: scored.length,
    },
    confusion,
    unseen,
    unlabelled,
    falseFlagRate: normalSeen === 0 ? null : rate((normalSeen - normalKept) / normalSeen),
  };
}

function f1(precision: number | null, recall: number | null): number | null {
  if (precision === null || recall === null) return null;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function rate(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10_000) / 10_000;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * Per-label binary scores for infohash subjects. `labels` may name a hash
 * several times (one entry per label); `predictions` likewise. `seen` is
 * every hash the sensor saw, `profiled` those the detector judged.
 */
export function scoreHashLabels(
  labels: readonly Subject[],
  predictions: readonly Prediction[],
  seen: Iterable<string>,
  profiled: Iterable<string>,
): HashLabelReport {
  const norm = (key: string) => key.toLowerCase();
  const seenSet = new Set([...seen].map(norm));
  const profiledSet = new Set([...profiled].map(norm));
  const truth = new Map<string, Set<string>>();
  for (const l of labels) {
    if (l.kind !== 'infohash') continue;
    const set = truth.get(norm(l.key)) ?? new Set<string>();
    set.add(l.label);
    truth.set(norm(l.key), set);
  }
  const guessed = new Map<string, Set<string>>();
  for (const p of predictions) {
    if (p.kind !== 'infohash') continue;
    const set = guessed.get(norm(p.key)) ?? new Set<string>();
    set.add(p.label);
    guessed.set(norm(p.key), set);
  }
  const names = new Set<string>();
  for (const set of [...truth.values(), ...guessed.values()]) for (const n of set) names.add(n);
  const out: Record<string, HashLabelScore> = {};
  for (const name of [...names].sort()) {
    let support = 0;
    let unseen = 0;
    let belowGate = 0;
    let tp = 0;
    for (const [key, set] of truth) {
      if (!set.has(name)) continue;
      if (!seenSet.has(key)) {
        unseen++;
        continue;
      }
      support++;
      if (!profiledSet.has(key)) belowGate++;
      if (guessed.get(key)?.has(name) === true) tp++;
    }
    let predicted = 0;
    for (const [key, set] of guessed) if (set.has(name) && seenSet.has(key)) predicted++;
    const precision = predicted === 0 ? null : tp / predicted;
    const recall = support === 0 ? null : tp / support;
    out[name] = {
      support,
      predicted,
      truePositives: tp,
      precision: rate(precision),
      recall: rate(recall),
      f1: rate(f1(precision, recall)),
      unseen,
      belowGate,
    };
  }
  const scored = Object.values(out).filter((c) => c.support > 0);
  const macro = (pick: (c: HashLabelScore) => number | null) =>
    scored.length === 0 ? null : rate(sum(scored.map((c) => pick(c) ?? 0)) / scored.length);
  const labelledSeen = [...truth.keys()].filter((k) => seenSet.has(k)).length;
  return {
    subjects: {
      seen: seenSet.size,
      profiled: profiledSet.size,
      labelled: truth.size,
      labelledSeen,
      unseen: truth.size - labelledSeen,
    },
    labels: out,
    macro: {
      precision: macro((c) => c.precision),
      recall: macro((c) => c.recall),
      f1: macro((c) => c.f1),
      labels: scored.length,
    },
  };
}

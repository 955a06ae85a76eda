/**
 * What a lab run found, for people: each detector's findings with their
 * evidence, and how the detectors scored against the lab's ground truth.
 * `lab eval` prints the scores; `demo` prints everything.
 */

import Table from 'cli-table3';
import pc from 'picocolors';
import { formatDuration } from '../lab/duration.ts';
import type { Evaluation, Finding } from '../lab/evaluate.ts';
import type { LiveRunResult } from '../lab/run-live.ts';
import type { Scenario } from '../lab/scenario.ts';
import type { ScoreReport } from '../lab/score.ts';
import type { GroupsReport } from '../lab/score-groups.ts';
import { TABLE_STYLE } from './query-result.ts';

export function renderLabSummary(input: {
  scenario: Scenario;
  live: LiveRunResult;
  evaluation: Evaluation;
  dataDir: string;
}): string {
  const { scenario, live, evaluation, dataDir } = input;
  const lines: string[] = [];
  lines.push(pc.bold(`dhtscope demo — scenario "${scenario.name}"`));
  lines.push(
    `${formatDuration(scenario.duration)} of lab time at ${scenario.timeScale}x: ${live.labNodes} DHT nodes on 127.x addresses, ` +
      `a real antenna with ${live.sensorIdentities} identities, ${evaluation.addresses} addresses seen, ${evaluation.events} events recorded.`,
  );
  lines.push('');
  lines.push(pc.bold('Findings'));
  lines.push(renderFindings(evaluation.findings));
  lines.push('');
  lines.push(pc.bold('How right were they? (against the lab’s ground truth)'));
  lines.push('Addresses (one class each)', renderScores(evaluation.scores));
  lines.push('', 'Fleets (several addresses run as one operator)', renderGroups(evaluation.groups));
  lines.push('');
  lines.push(pc.bold('Next'));
  const next: [string, string][] = [
    [
      `dhtscope report --data-dir ${dataDir}`,
      'the full summary (also --behavior, --operators, --hash H)',
    ],
    [
      `dhtscope report --data-dir ${dataDir} --heatmap`,
      'the keyspace as the sensor heard it (--out map.png)',
    ],
    [
      `dhtscope report --data-dir ${dataDir} --clustering`,
      'addresses acting as one operator (also --coordination, --campaigns)',
    ],
    [
      `dhtscope map --data-dir ${dataDir} --source observed`,
      'the addresses the sensor heard, on a world map (map.html)',
    ],
    [
      `dhtscope sql --data-dir ${dataDir} "SELECT class, count(*) FROM operator_profiles GROUP BY 1"`,
      '',
    ],
    ['dhtscope lab eval --scenario demo --json', 'score the detectors again, as JSON'],
    ['dhtscope lab trace --scenario week', 'a week of lab traffic written straight to the store'],
    ['docs/scenarios.md', 'write a scenario of your own'],
  ];
  const width = Math.max(...next.filter(([, d]) => d !== '').map(([c]) => c.length));
  for (const [command, what] of next)
    lines.push(`  ${what === '' ? command : `${command.padEnd(width)}  ${what}`}`);
  return lines.join('\n');
}

/** Findings per class, at most `perClass` each (the busiest), the rest counted. */
export function renderFindings(findings: readonly Finding[], perClass = 3): string {
  if (findings.length === 0) return '  (nothing beyond normal clients and DHT nodes)';
  const table = new Table({
    head: ['class', 'address', 'network', 'queries', 'conf.', 'why', 'truth'],
    style: TABLE_STYLE,
    wordWrap: true,
    colWidths: [null, null, null, null, null, 60, null] as unknown as number[],
  });
  const byClass = new Map<string, Finding[]>();
  for (const f of findings) byClass.set(f.class, [...(byClass.get(f.class) ?? []), f]);
  for (const [name, members] of byClass) {
    const sorted = [...members].sort((a, b) => b.queries - a.queries);
    const shown = sorted.slice(0, perClass);
    for (const f of shown) {
      const truth =
        f.truth === undefined ? '' : f.truth === f.class ? pc.green('✓') : pc.red(f.truth);
      table.push([
        f.class + (f.group === undefined ? '' : ` (${f.group})`),
        f.remoteIp,
        [f.asn === undefined ? '' : `AS${f.asn}`, f.country ?? ''].join(' ').trim(),
        String(f.queries),
        f.confidence.toFixed(2),
        f.why,
        truth,
      ]);
    }
    const rest = members.length - shown.length;
    if (rest > 0) {
      const right = sorted.slice(perClass).filter((f) => f.truth === f.class).length;
      table.push([
        pc.dim(`… ${rest} more ${name}`),
        '',
        '',
        '',
        '',
        pc.dim(`${right} of them right by the ground truth`),
        '',
      ]);
    }
  }
  return table.toString();
}

export function renderScores(scores: ScoreReport): string {
  const table = new Table({
    head: ['class', 'support', 'precision', 'recall', 'F1', 'unseen'],
    style: TABLE_STYLE,
  });
  const rate = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  for (const [name, s] of Object.entries(scores.classes)) {
    table.push([
      name,
      String(s.support),
      rate(s.precision),
      rate(s.recall),
      rate(s.f1),
      String(s.unseen),
    ]);
  }
  const lines = [table.toString()];
  lines.push(
    `macro F1 ${rate(scores.macro.f1)} over ${scores.macro.classes} classes · normal clients flagged as something else: ${
      scores.falseFlagRate === null ? '–' : `${(scores.falseFlagRate * 100).toFixed(1)} %`
    } · ${scores.subjects.seen} of ${scores.subjects.labelled} labelled addresses seen by the sensor`,
  );
  const confusions = Object.entries(scores.confusion).flatMap(([label, row]) =>
    Object.entries(row)
      .filter(([predicted]) => predicted !== label)
      .map(([predicted, n]) => `${label} → ${predicted}: ${n}`),
  );
  lines.push(
    confusions.length === 0 ? 'no confusion between classes' : `confused: ${confusions.join(', ')}`,
  );
  const hashes = scores.hashLabels;
  if (hashes !== undefined) {
    const labels = new Table({
      head: ['label', 'support', 'precision', 'recall', 'F1', 'unseen', 'below gate'],
      style: TABLE_STYLE,
    });
    for (const [name, h] of Object.entries(hashes.labels)) {
      labels.push([
        name,
        String(h.support),
        rate(h.precision),
        rate(h.recall),
        rate(h.f1),
        String(h.unseen),
        String(h.belowGate),
      ]);
    }
    lines.push('', 'Infohashes (any number of labels each)', labels.toString());
    lines.push(
      `${hashes.subjects.labelledSeen} of ${hashes.subjects.labelled} labelled infohashes seen by the sensor, ${hashes.subjects.profiled} profiled`,
    );
  }
  return lines.join('\n');
}

/** Each lab fleet, the cluster that matched it and the members found. */
export function renderGroups(report: GroupsReport): string {
  if (report.groups.length === 0) return '  (the scenario runs no fleet)';
  const rate = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  const table = new Table({
    head: ['fleet', 'label', 'members seen', 'found', 'cluster', 'recall', 'precision'],
    style: TABLE_STYLE,
  });
  for (const g of report.groups)
    table.push([
      g.actor,
      g.label,
      String(g.seen),
      String(g.found),
      g.cluster ?? '–',
      rate(g.recall),
      rate(g.precision),
    ]);
  return [
    table.toString(),
    `members found: recall ${rate(report.meanRecall)}, precision ${rate(report.meanPrecision)} · clusters matching no fleet: ${report.spurious.length}`,
  ].join('\n');
}

/**
 * Hash labels in the lab: per-label binary scoring by hand, and the small
 * scenario end to end (trace → detectors → scores) with its hash classes
 * at the bar.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveScenario } from '../../src/lab/builtin-scenarios.ts';
import { evaluate, planHashLabels } from '../../src/lab/evaluate.ts';
import { type Subject, scoreHashLabels } from '../../src/lab/score.ts';
import { writeTrace } from '../../src/lab/trace.ts';
import { buildWorld } from '../../src/lab/world.ts';

const h = (c: string): Subject['key'] => c.repeat(40);
const s = (key: string, label: string): Subject => ({ kind: 'infohash', key, label });

describe('lab: hash label scores', () => {
  it('scores each label as its own yes/no question over the seen hashes', () => {
    const truth = [
      s(h('a'), 'observer_target'),
      s(h('a'), 'dead_swarm'),
      s(h('b'), 'dead_swarm'),
      s(h('c'), 'swarm_like'), // never seen
      s(h('d'), 'burst_activity'), // seen, under the gate
    ];
    const predicted = [
      s(h('A'), 'observer_target'), // keys match case-insensitively
      s(h('a'), 'dead_swarm'),
      s(h('e'), 'dead_swarm'), // a false positive on an unlabelled hash
    ];
    const report = scoreHashLabels(
      truth,
      predicted,
      [h('a'), h('b'), h('d'), h('e')],
      [h('a'), h('b'), h('e')],
    );
    assert.deepEqual(report.labels.dead_swarm, {
      support: 2,
      predicted: 2,
      truePositives: 1,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      unseen: 0,
      belowGate: 0,
    });
    assert.equal(report.labels.observer_target!.f1, 1);
    assert.deepEqual(report.labels.burst_activity, {
      support: 1,
      predicted: 0,
      truePositives: 0,
      precision: null,
      recall: 0,
      f1: null,
      unseen: 0,
      belowGate: 1,
    });
    assert.equal(report.labels.swarm_like!.unseen, 1);
    assert.equal(report.labels.swarm_like!.support, 0);
    assert.deepEqual(report.subjects, {
      seen: 4,
      profiled: 3,
      labelled: 4,
      labelledSeen: 3,
      unseen: 1,
    });
    assert.deepEqual(report.macro, { precision: 0.5, recall: 0.5, f1: 0.5, labels: 3 });
  });
});

describe('lab: hash labels of the small scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dhtscope-hash-labels-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('derives count-based truth from the plan', () => {
    const world = buildWorld(resolveScenario('small').scenario);
    const labels = planHashLabels(world);
    const count = (label: string) => labels.filter((l) => l.label === label).length;
    // The watched torrent's 4 hashes (~114 lookups each, 5 ASNs) and the two crowds.
    assert.equal(count('dead_swarm'), 4);
    assert.equal(count('observer_target'), 0);
    assert.equal(count('high_asn_interest'), 6);
    assert.ok(count('swarm_like') >= 3, `${count('swarm_like')} swarm_like`);
  });

  it('scores every hash class with support at precision and recall ≥ 0.95', async () => {
    const world = buildWorld(resolveScenario('small').scenario);
    await writeTrace(world, dir);
    const evaluation = await evaluate(dir);
    assert.equal(evaluation.planTruth, true);
    const labels = evaluation.scores.hashLabels!.labels;
    const supported = Object.entries(labels).filter(([, v]) => v.support > 0);
    assert.ok(supported.length >= 5, supported.map(([k]) => k).join(', '));
    for (const [name, score] of supported) {
      assert.ok(score.precision !== null && score.precision >= 0.95, `${name} precision`);
      assert.ok(score.recall !== null && score.recall >= 0.95, `${name} recall`);
    }
    assert.equal(evaluation.scores.classes.periodic_monitor!.recall, 1, 'observers are monitors');
  });
});

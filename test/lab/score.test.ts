import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Prediction, type Subject, scorePredictions } from '../../src/lab/score.ts';

const a = (key: string, label: string): Subject => ({ kind: 'address', key, label });

describe('lab: score', () => {
  // Truth: 4 normal clients, 2 crawlers, 1 sybil; one crawler never seen.
  const labels = [
    a('n1', 'normal_client'),
    a('n2', 'normal_client'),
    a('n3', 'normal_client'),
    a('n4', 'normal_client'),
    a('c1', 'sequential_crawler'),
    a('c2', 'sequential_crawler'),
    a('s1', 'sybil_fleet'),
    { kind: 'infohash', key: 'AB'.repeat(20), label: 'swarm_like' } as Subject,
  ];
  const predictions: Prediction[] = [
    a('n1', 'normal_client'),
    a('n2', 'normal_client'),
    a('n3', 'normal_client'),
    a('n4', 'sequential_crawler'), // a false flag
    a('c1', 'sequential_crawler'),
    a('s1', 'normal_client'), // a miss
    a('x9', 'burst_prober'), // an address outside the ground truth
    { kind: 'infohash', key: 'ab'.repeat(20), label: 'swarm_like' }, // keys match case-insensitively
  ];
  const report = scorePredictions(labels, predictions);

  it('counts precision, recall and F1 per class by hand', () => {
    assert.deepEqual(report.classes.normal_client, {
      support: 4,
      predicted: 4, // n1–n3 and s1
      truePositives: 3,
      precision: 0.75,
      recall: 0.75,
      f1: 0.75,
      unseen: 0,
    });
    assert.deepEqual(report.classes.sequential_crawler, {
      support: 1, // c2 was never seen: not in support
      predicted: 2,
      truePositives: 1,
      precision: 0.5,
      recall: 1,
      f1: 0.6667,
      unseen: 1,
    });
    assert.deepEqual(report.classes.sybil_fleet, {
      support: 1,
      predicted: 0,
      truePositives: 0,
      precision: null,
      recall: 0,
      f1: null,
      unseen: 0,
    });
    assert.equal(report.classes.swarm_like!.f1, 1);
    assert.equal(report.classes.burst_prober, undefined, 'unlabelled predictions make no class');
  });

  it('gives the confusion matrix of seen subjects, the unseen and the unlabelled apart', () => {
    assert.deepEqual(report.confusion, {
      normal_client: { normal_client: 3, sequential_crawler: 1 },
      sequential_crawler: { sequential_crawler: 1 },
      sybil_fleet: { normal_client: 1 },
      swarm_like: { swarm_like: 1 },
    });
    assert.deepEqual(report.unseen, { sequential_crawler: 1 });
    assert.deepEqual(report.unlabelled, { burst_prober: 1 });
    assert.deepEqual(report.subjects, { labelled: 8, seen: 7, unseen: 1, unlabelled: 1 });
  });

  it('averages over the classes with support and reports the false-flag rate of normal clients', () => {
    // precision: (0.75 + 0.5 + 0 + 1) / 4; recall: (0.75 + 1 + 0 + 1) / 4; f1: (0.75 + 0.6667 + 0 + 1) / 4
    assert.deepEqual(report.macro, { precision: 0.5625, recall: 0.6875, f1: 0.6042, classes: 4 });
    assert.equal(report.falseFlagRate, 0.25);
  });

  it('is perfect on perfect predictions and null where nothing can be said', () => {
    const perfect = scorePredictions(labels, labels);
    assert.equal(perfect.macro.f1, 1);
    assert.equal(perfect.falseFlagRate, 0);
    const empty = scorePredictions([], []);
    assert.deepEqual(empty.macro, { precision: null, recall: null, f1: null, classes: 0 });
    assert.equal(empty.falseFlagRate, null);
  });
});

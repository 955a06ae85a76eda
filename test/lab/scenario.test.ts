import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { builtinScenarioNames, resolveScenario } from '../../src/lab/builtin-scenarios.ts';
import { parseDuration } from '../../src/lab/duration.ts';
import { parseScenario, ScenarioError } from '../../src/lab/scenario.ts';
import { buildWorld } from '../../src/lab/world.ts';

const BASE = `
name: t
duration: 1h
networks:
  - { name: home, cidr: 127.10.0.0/16, asn: 64510, org: Home, country: DE }
actors:
  - { behavior: normal_client, count: 3, network: home }
`;

function rejects(text: string, pattern: RegExp, source = 'x.yaml'): void {
  assert.throws(
    () => buildWorld(parseScenario(text, source)),
    (error: unknown) => {
      assert.ok(error instanceof ScenarioError, String(error));
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('scenario files', () => {
  it('reads YAML and JSON to the same scenario, with defaults filled in', () => {
    const yaml = parseScenario(BASE, 'a.yaml');
    const json = parseScenario(JSON.stringify(parseYaml(BASE)), 'a.json');
    assert.deepEqual(json, yaml);
    assert.equal(yaml.duration, 3_600_000);
    assert.equal(yaml.dht.nodes, 200);
    assert.equal(yaml.timeScale, 60);
    assert.equal(yaml.actors[0]!.count, 3);
  });

  it('names the place of each mistake', () => {
    rejects(BASE.replace('duration: 1h', 'duration: soon'), /duration: "soon" is not a duration/);
    rejects(
      BASE.replace('127.10.0.0/16', '10.0.0.0/8'),
      /not an IPv4 block inside 127\.0\.0\.0\/8/,
    );
    rejects(BASE.replace('127.10.0.0/16', '127.0.0.0/24'), /overlaps 127\.0\.0\.0\/16/);
    rejects(
      BASE.replace('network: home', 'network: work'),
      /names network "work", which is not defined/,
    );
    rejects(
      BASE.replace('behavior: normal_client', 'behavior: teleporter'),
      /actors\[0\]: unknown behavior "teleporter"/,
    );
    rejects(
      BASE.replace('network: home }', 'network: home, params: { lookupInterval: often } }'),
      /actors\[0\] \(normal_client\): params\.lookupInterval/,
    );
    rejects(
      BASE.replace('network: home }', 'network: home, params: { colour: red } }'),
      /unknown parameter\(s\) colour/,
    );
    rejects(`${BASE}extra: 1\n`, /unknown key\(s\) extra/);
    rejects('{ "name": ', /not valid JSON/, 'x.json');
  });

  it('gives every lab address a label and keeps every address inside 127.0.0.0/8', () => {
    for (const name of builtinScenarioNames()) {
      const world = buildWorld(resolveScenario(name).scenario);
      const addresses = new Set<string>();
      for (const label of world.labels.filter((l) => l.kind === 'address')) {
        assert.match(label.key, /^127\./, `${name}: ${label.key}`);
        assert.ok(!label.key.startsWith('127.0.'), `${name}: ${label.key} is in the sensor block`);
        assert.ok(!addresses.has(label.key), `${name}: ${label.key} used twice`);
        addresses.add(label.key);
      }
      for (const actor of world.actors)
        for (const a of actor.context.addresses)
          assert.ok(addresses.has(a.ip), `${name}: ${a.ip} unlabelled`);
      assert.ok(world.actors.length > 0);
    }
  });

  it('covers every actor class in the built-in demo scenario', () => {
    const world = buildWorld(resolveScenario('demo').scenario);
    const classes = new Set(world.labels.filter((l) => l.kind === 'address').map((l) => l.label));
    for (const c of [
      'normal_client',
      'dht_node',
      'swarm_peer',
      'sequential_crawler',
      'prefix_walker',
      'sample_infohashes_crawler',
      'periodic_monitor',
      'burst_prober',
      'distributed_campaign',
      'sybil_fleet',
    ])
      assert.ok(classes.has(c), c);
  });

  it('parses durations', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('5'), undefined);
  });
});

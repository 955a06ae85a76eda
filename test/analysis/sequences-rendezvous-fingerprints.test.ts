/**
 * The Analysis II steps over real stores: constructed events for the
 * timing patterns and fingerprints, and the lab's small scenario, whose
 * actors must each appear in their table.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fingerprintsStep } from '../../src/analysis/fingerprints/step.ts';
import { operatorProfilesStep } from '../../src/analysis/operator-profiles-step.ts';
import { rendezvousStep } from '../../src/analysis/rendezvous/step.ts';
import { sequencesStep } from '../../src/analysis/sequences/step.ts';
import type { AnalysisStep, RunShared } from '../../src/analysis/step.ts';
import { resolveScenario } from '../../src/lab/builtin-scenarios.ts';
import { writeTrace } from '../../src/lab/trace.ts';
import { buildWorld } from '../../src/lab/world.ts';
import { type EventRecord, StoreReader } from '../../src/store/index.ts';
import { getPeersEvent, storeOfEvents } from '../helpers/events.ts';

/** What a compute run shares when a later step wants the operator reader's columns. */
function keepingRead(): RunShared {
  const shared: RunShared = { begun: new Map(), eventSpanUs: 0 };
  shared.keepOperatorRead = (read) => {
    shared.operatorRead = read;
  };
  return shared;
}

const HOUR = 3_600_000_000;
const START = Date.UTC(2026, 0, 5) * 1000;
const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function run(reader: StoreReader, ...steps: AnalysisStep[]): Promise<void> {
  for (const step of steps) await step.run({ reader, config: {}, onProgress: () => {} });
}
const rowsOf = async (reader: StoreReader, sql: string) => (await reader.query(sql)).rows;
/** Each table's rows as text, in a fixed order. */
const tablesText = async (reader: StoreReader, tables: string[]) =>
  Promise.all(
    tables.map(async (name) =>
      JSON.stringify(await rowsOf(reader, `SELECT * FROM ${name} ORDER BY ALL`), (_, v) =>
        typeof v === 'bigint' ? String(v) : v,
      ),
    ),
  );
const hash = (c: string) => c.repeat(40);

function event(
  ts: number,
  ip: string,
  target: string,
  more: Partial<EventRecord> = {},
): EventRecord {
  return getPeersEvent(ts, ip, target, {
    // Scattered, deterministic: never a constant or counting id.
    txid: ((ts * 7919) % 65521).toString(16).padStart(4, '0'),
    asn: 64500,
    ...more,
  });
}

const storeOf = (events: EventRecord[]) => storeOfEvents(events, roots, 'dhtscope-analysis2-');

describe('timing patterns and fingerprints on constructed events', () => {
  let reader: StoreReader;
  before(async () => {
    const events: EventRecord[] = [];
    // A watcher: hashes 1, 2, 3 in order every 30 min (± 10 %), each lookup heard twice.
    for (let round = 0; round < 8; round++) {
      const at = START + round * 0.5 * HOUR + (round % 2 === 0 ? 1 : -1) * 0.05 * 0.5 * HOUR;
      for (const [i, h] of ['1', '2', '3'].entries()) {
        events.push(event(at + i * 2e6, '10.0.0.1', hash(h)));
        events.push(event(at + i * 2e6 + 5e5, '10.0.0.1', hash(h)));
      }
    }
    // A returner: hash a, then again 3 h and 4 h later (irregular, only 3 visits).
    for (const offset of [0, 3, 4])
      events.push(event(START + offset * HOUR, '10.0.0.2', hash('a')));
    // A swarm peer asking for its own torrent on a timer, and announcing it: left out.
    for (let i = 0; i < 6; i++) {
      events.push(event(START + i * HOUR, '10.0.0.3', hash('b')));
      events.push(event(START + i * HOUR + 1e6, '10.0.0.3', hash('b'), { kind: 'announce_peer' }));
    }
    // An impatient client: hash c three times a minute and a half apart (too short a period).
    for (let i = 0; i < 4; i++) events.push(event(START + i * 90e6, '10.0.0.4', hash('c')));
    // A tool counting its transaction ids up, under ids that fail BEP 42.
    for (let i = 0; i < 30; i++)
      events.push(
        event(START + i * 10e6, '10.0.0.5', hash('d').slice(0, 38) + (i + 16).toString(16), {
          txid: (0x1000 + i).toString(16),
          remoteId: (i % 3).toString().repeat(40),
          bep42: 'invalid',
        }),
      );
    // A normal client: random ids, one node id, a valid one.
    for (let i = 0; i < 30; i++)
      events.push(
        event(START + i * 60e6, '10.0.0.6', hash('e').slice(0, 38) + (i + 16).toString(16), {
          bep42: 'valid',
        }),
      );
    // Two node ids, one BEP 42 valid and one invalid: below every default threshold.
    for (let i = 0; i < 6; i++)
      events.push(
        event(START + i * 60e6, '10.0.0.7', hash('f').slice(0, 38) + (i + 16).toString(16), {
          remoteId: (i % 2 === 0 ? 'e1' : 'e2').repeat(20),
          bep42: i % 2 === 0 ? 'valid' : 'invalid',
        }),
      );
    reader = await storeOf(events);
    await run(reader, rendezvousStep, fingerprintsStep);
  });
  after(() => reader.close());

  it('classifies the watcher as SCHEDULED and CROSS_HASH, the returner as RETURN_VISIT, and nothing else', async () => {
    const rows = await rowsOf(
      reader,
      'SELECT operator_ip, infohash, classification, visit_count, period_h, spread FROM rendezvous_events ORDER BY operator_ip, classification, infohash',
    );
    const summary = rows.map(
      (r) => `${r.operator_ip} ${String(r.infohash)[0]} ${r.classification}`,
    );
    assert.deepEqual(summary, [
      '10.0.0.1 1 CROSS_HASH',
      '10.0.0.1 2 CROSS_HASH',
      '10.0.0.1 3 CROSS_HASH',
      '10.0.0.1 1 SCHEDULED',
      '10.0.0.1 2 SCHEDULED',
      '10.0.0.1 3 SCHEDULED',
      '10.0.0.2 a RETURN_VISIT',
    ]);
    const scheduled = rows.find((r) => r.classification === 'SCHEDULED')!;
    assert.equal(Number(scheduled.visit_count), 8, 'two events a second apart are one visit');
    assert.ok(Math.abs(Number(scheduled.period_h) - 0.5) < 0.05, `period ${scheduled.period_h}`);
    assert.ok(Number(scheduled.spread) <= 0.3);
  });

  it('gives the same fingerprints from the operator read as from SQL, every threshold lowered', async () => {
    const config = {
      fingerprints: {
        minNodeIds: 2,
        minInvalidIds: 1,
        minInvalidShare: 0,
        copyBits: 4,
        minCopiedIds: 1,
        minCopiedShare: 0,
        minTxidQueries: 2,
        minTopTxidShare: 0.01,
        minSequentialShare: 0.01,
        minClients: 1,
      },
    };
    const context = { reader, config, onProgress: () => {} };
    await fingerprintsStep.run(context);
    const [sql] = await tablesText(reader, ['fingerprints']);
    const shared = keepingRead();
    await operatorProfilesStep.run({ ...context, shared });
    await fingerprintsStep.run({ ...context, shared });
    const [fromRead] = await tablesText(reader, ['fingerprints']);
    assert.equal(fromRead, sql);
    const rows = JSON.parse(sql!) as Record<string, unknown>[];
    assert.ok(rows.length >= 4, `${rows.length} rows`);
    assert.ok(
      rows.some((r) => r.bep42_invalid_share !== null && Number(r.bep42_invalid_share) > 0),
    );
    assert.ok(rows.some((r) => String(r.signals).includes('sequential_txid')));
    await fingerprintsStep.run({ reader, config: {}, onProgress: () => {} });
  });

  it('fingerprints the counting tool, and not the normal client', async () => {
    const rows = await rowsOf(reader, 'SELECT remote_ip, signals, node_ids, why FROM fingerprints');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.remote_ip, '10.0.0.5');
    assert.equal(rows[0]!.signals, 'bep42_invalid,sequential_txid');
    assert.equal(Number(rows[0]!.node_ids), 3);
    assert.match(String(rows[0]!.why), /count up by one on 100 %/);
  });
});

describe('sweeps, walks, timing patterns and fingerprints in the small lab scenario', () => {
  let reader: StoreReader;
  let truth: { kind: string; key: string; label: string; actor: string }[];
  before(async () => {
    const root = mkdtempSync(join(tmpdir(), 'dhtscope-analysis2-lab-'));
    roots.push(root);
    await writeTrace(buildWorld(resolveScenario('small').scenario), root);
    truth = JSON.parse(readFileSync(join(root, 'lab', 'ground-truth.json'), 'utf8')).labels;
    reader = await StoreReader.open(root);
    await run(reader, sequencesStep, rendezvousStep, fingerprintsStep);
  });
  after(() => reader.close());
  const addressOf = (actor: string) =>
    truth.find((l) => l.actor === actor && l.kind === 'address')!.key;

  it('finds the sequential crawler in sweep_events', async () => {
    const crawler = addressOf('sequential_crawler-1');
    const rows = await rowsOf(
      reader,
      `SELECT * FROM sweep_events WHERE operator_ip = '${crawler}'`,
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.direction, 'ascending');
    assert.ok(Number(rows[0]!.hashes_observed) > 100, `${rows[0]!.hashes_observed} hashes`);
    const others = await rowsOf(reader, 'SELECT DISTINCT operator_ip FROM sweep_events');
    const sweepers = new Set(
      truth
        .filter((l) => l.label === 'sequential_crawler' || l.label === 'distributed_campaign')
        .map((l) => l.key),
    );
    for (const r of others)
      assert.ok(sweepers.has(String(r.operator_ip)), `${r.operator_ip} is no sweeper`);
  });

  it("replays the operator reader's lookups, in a compute run, to the same sweeps, walks and fingerprints", async () => {
    const tables = ['sweep_events', 'prefix_walk_events', 'fingerprints'];
    const alone = await tablesText(reader, tables);
    const shared = keepingRead();
    const context = { reader, config: {}, onProgress: () => {}, shared };
    await operatorProfilesStep.run(context);
    assert.ok(shared.operatorRead !== undefined, 'the operator reader left its read');
    await sequencesStep.run(context);
    await fingerprintsStep.run(context);
    assert.deepEqual(await tablesText(reader, tables), alone);
    assert.ok(
      alone.every((t) => t.length > 100),
      'something to compare',
    );
  });

  it('finds the prefix walker, and only it, in prefix_walk_events', async () => {
    const rows = await rowsOf(reader, 'SELECT * FROM prefix_walk_events');
    assert.ok(rows.length >= 1);
    for (const r of rows) assert.equal(r.source_ip, addressOf('prefix_walker-1'));
    assert.match(String(rows[0]!.prefix_sequence), /^[0-9a-f]{3}→[0-9a-f]{3}→/);
  });

  it("finds the periodic monitor's hashes SCHEDULED, and only watchers' hashes", async () => {
    const monitor = addressOf('periodic_monitor-1');
    const watched = new Set(
      truth.filter((l) => l.label === 'periodic_lookup_target').map((l) => l.key),
    );
    const rows = await rowsOf(
      reader,
      `SELECT infohash, period_h FROM rendezvous_events WHERE operator_ip = '${monitor}' AND classification = 'SCHEDULED'`,
    );
    assert.ok(rows.length >= 2, `${rows.length} scheduled hashes`);
    for (const r of rows) {
      assert.ok(watched.has(String(r.infohash)), `${r.infohash} is on its watch list`);
      assert.ok(
        Math.abs(Number(r.period_h) * 60 - 10) < 2,
        `period ${Number(r.period_h) * 60} min`,
      );
    }
    const scheduled = await rowsOf(
      reader,
      "SELECT DISTINCT infohash FROM rendezvous_events WHERE classification = 'SCHEDULED'",
    );
    for (const r of scheduled)
      assert.ok(watched.has(String(r.infohash)), `${r.infohash} is watched`);
  });

  it('fingerprints the sybil fleet with its constant transaction id, and nobody else', async () => {
    const rows = await rowsOf(reader, 'SELECT remote_ip, signals FROM fingerprints');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.remote_ip, addressOf('sybil_fleet-1'));
    const signals = String(rows[0]!.signals).split(',');
    for (const s of ['constant_txid', 'many_node_ids', 'sensor_prefix'])
      assert.ok(signals.includes(s), s);
  });
});

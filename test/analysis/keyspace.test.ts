/**
 * The keyspace step over real small stores: uniform random lookups (nothing
 * to find), and the same background with a scanner walking prefixes upward
 * and a hammered region.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { keyspaceStep, resolveKeyspaceConfig, tallyAll } from '../../src/analysis/keyspace/step.ts';
import { readOperatorColumns, withTargetKeys } from '../../src/analysis/operator-stream.ts';
import type { EventRecord, StoreReader } from '../../src/store/index.ts';
import { getPeersEvent, storeOfEvents } from '../helpers/events.ts';
import { rng } from '../helpers/rng.ts';

const HOUR = 3_600_000_000;
const START = Date.UTC(2026, 0, 5) * 1000;

const word = (r: () => number) =>
  Math.floor(r() * 2 ** 32)
    .toString(16)
    .padStart(8, '0');
/** A target whose first 16 bits are `prefix16` (random when undefined) and the rest random. */
function target(r: () => number, prefix16?: number): string {
  const head =
    prefix16 === undefined ? word(r).slice(0, 4) : prefix16.toString(16).padStart(4, '0');
  return head + word(r).slice(4) + word(r) + word(r) + word(r) + word(r);
}

function event(ts: number, ip: string, t: string, asn: number): EventRecord {
  return getPeersEvent(ts, ip, t, { txid: '0001', asn });
}

/** 100 addresses, 1000 uniformly random get_peers each over six hours (1.5 per cell on average). */
function background(): EventRecord[] {
  const r = rng(1);
  const out: EventRecord[] = [];
  for (let a = 0; a < 100; a++)
    for (let i = 0; i < 1000; i++)
      out.push(event(START + r() * 6 * HOUR, `10.1.0.${a}`, target(r), 64500));
  return out;
}

const SCANNER = '10.9.9.9';
/** 400 targets, one per 16-bit prefix from 2000 upward, 8 s apart (within one hour bucket). */
function scanner(): EventRecord[] {
  const r = rng(2);
  return Array.from({ length: 400 }, (_, i) =>
    event(START + HOUR + i * 8_000_000, SCANNER, target(r, 0x2000 + i), 64666),
  );
}

/** Five addresses hammering the 16 cells a000 … a00f with 400 lookups each. */
function hammer(): EventRecord[] {
  const r = rng(3);
  const out: EventRecord[] = [];
  for (let a = 0; a < 5; a++)
    for (let i = 0; i < 400; i++)
      out.push(event(START + r() * 6 * HOUR, `10.7.0.${a}`, target(r, 0xa000 + (i % 16)), 64777));
  return out;
}

const roots: string[] = [];
async function store(events: EventRecord[]): Promise<StoreReader> {
  const reader = await storeOfEvents(events, roots, 'dhtscope-keyspace-');
  const progress: [number, number][] = [];
  const result = await keyspaceStep.run({
    reader,
    config: {},
    onProgress: (done, total) => progress.push([done, total]),
  });
  assert.equal(result.rows.keyspace_heatmap, 65_536, 'every cell has a row');
  // Read, then folded: progress in events, ending at all of them.
  assert.deepEqual(progress.at(-1), [events.length, events.length]);
  assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1]![0]));
  return reader;
}

const rowsOf = async (reader: StoreReader, sql: string) => (await reader.query(sql)).rows;

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('keyspace step: uniform random lookups', () => {
  let reader: StoreReader;
  before(async () => {
    reader = await store(background());
  });
  after(() => reader.close());

  it('finds no hot or cold zones, no scanners and no families', async () => {
    const zones = await rowsOf(
      reader,
      'SELECT zone, count(*)::INTEGER AS n, sum(events)::INTEGER AS events FROM keyspace_heatmap GROUP BY zone',
    );
    assert.deepEqual(zones, [{ zone: 'normal', n: 65_536, events: 100_000 }]);
    assert.equal((await rowsOf(reader, 'SELECT * FROM keyspace_scanners')).length, 0);
    assert.equal((await rowsOf(reader, 'SELECT * FROM prefix_families')).length, 0);
  });

  it('gives high entropy globally and per address', async () => {
    const [global] = await rowsOf(reader, "SELECT * FROM prefix_entropy WHERE scope = 'global'");
    assert.ok(Number(global!.entropy_8) > 0.98, `global entropy_8 ${global!.entropy_8}`);
    assert.ok(Number(global!.entropy_12) > 0.98, `global entropy_12 ${global!.entropy_12}`);
    assert.equal(global!.assessment, 'random');
    const addresses = await rowsOf(
      reader,
      "SELECT assessment, count(*)::INTEGER AS n, min(least(entropy_8, entropy_12)) AS lowest FROM prefix_entropy WHERE scope = 'address' GROUP BY assessment",
    );
    assert.deepEqual(
      addresses.map((r) => [r.assessment, r.n]),
      [['random', 100]],
    );
    assert.ok(Number(addresses[0]!.lowest) > 0.9);
  });
});

describe('keyspace step: a scanner and a hammered region among random lookups', () => {
  let reader: StoreReader;
  before(async () => {
    reader = await store([...background(), ...scanner(), ...hammer()]);
  });
  after(() => reader.close());

  it('finds the scanner walking upward, and only it', async () => {
    const rows = await rowsOf(reader, 'SELECT * FROM keyspace_scanners');
    assert.equal(rows.length, 1);
    const s = rows[0]!;
    assert.equal(s.remote_ip, SCANNER);
    assert.equal(s.direction, 'ascending');
    assert.equal(Number(s.prefixes_covered), 400);
    assert.equal(s.span_from, '2000');
    assert.equal(s.span_to, '218f');
    assert.equal(Number(s.asn), 64666);
    assert.equal(Number(s.ordered_share), 1);
    assert.match(String(s.why), /400 targets/);
  });

  it('marks the hammered cells hot as one zone, and nothing else', async () => {
    const hot = await rowsOf(
      reader,
      "SELECT prefix16, prefix, zone_start, zone_cells, events FROM keyspace_heatmap WHERE zone = 'hot' ORDER BY prefix16",
    );
    assert.deepEqual(
      hot.map((r) => Number(r.prefix16)),
      Array.from({ length: 16 }, (_, i) => 0xa000 + i),
    );
    assert.equal(hot[0]!.prefix, 'a000');
    assert.ok(hot.every((r) => Number(r.zone_start) === 0xa000 && Number(r.zone_cells) === 16));
    const cold = await rowsOf(
      reader,
      "SELECT count(*)::INTEGER AS n FROM keyspace_heatmap WHERE zone = 'cold'",
    );
    assert.equal(cold[0]!.n, 0);
  });

  it('assesses the scanner as organised and the hammer as concentrated by prefix entropy', async () => {
    const rows = await rowsOf(
      reader,
      "SELECT remote_ip, assessment FROM prefix_entropy WHERE scope = 'address'",
    );
    const of = (ip: string) => rows.find((r) => r.remote_ip === ip)?.assessment;
    assert.equal(of(SCANNER), 'organised');
    assert.equal(of('10.7.0.0'), 'concentrated');
    assert.equal(
      rows
        .filter((r) => String(r.remote_ip).startsWith('10.1.'))
        .every((r) => r.assessment === 'random'),
      true,
    );
  });

  it('gives the same rows from worker threads over ranges as from one thread', async () => {
    const read = withTargetKeys(await reader.withFreshViews((duck) => readOperatorColumns(duck)));
    const c = resolveKeyspaceConfig({});
    const alone = await tallyAll(read, c, () => {}, 1);
    const done: number[] = [];
    const pooled = await tallyAll(read, c, (n) => done.push(n), 2);
    assert.deepEqual(pooled, alone);
    assert.equal(alone.scanners.length, 1);
    assert.equal(done.at(-1), read.columns.length, 'progress reaches every event');
  });

  it('finds the scanner’s dense run of 12-bit prefixes as a family', async () => {
    const rows = await rowsOf(reader, 'SELECT * FROM prefix_families');
    assert.equal(rows.length, 1);
    const f = rows[0]!;
    assert.equal(f.family_id, 'pf-200-218');
    assert.equal(Number(f.prefixes), 25);
    assert.equal(Number(f.addresses), 1);
    assert.equal(Number(f.hashes), 400);
    assert.match(String(f.top_addresses), /^10\.9\.9\.9 \(400\)$/);
  });
});

describe('keyspace settings', () => {
  it('applies overrides and rejects unknown or non-numeric ones', () => {
    const c = resolveKeyspaceConfig({ hotRatio: 10, minPrefixes: 5, familyMinPrefixes: 7 });
    assert.equal(c.heatmap.hotRatio, 10);
    assert.equal(c.scanners.minPrefixes, 5);
    assert.equal(c.families.minPrefixes, 7);
    assert.equal(c.heatmap.hotZ, 5);
    assert.throws(() => resolveKeyspaceConfig({ hotRatoi: 10 }), /unknown setting hotRatoi/);
    assert.throws(() => resolveKeyspaceConfig({ hotRatio: 'x' }), /expected a number/);
  });
});

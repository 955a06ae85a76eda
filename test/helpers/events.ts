/** Synthetic events for store tests: deterministic, every column exercised. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandomBytes } from '../../src/protocol/random.ts';
import { EVENTS, Journal, openDataDir, StoreReader } from '../../src/store/index.ts';
import type { EventKind, EventRecord } from '../../src/store/schema.ts';

const KINDS: EventKind[] = [
  'get_peers',
  'get_peers',
  'find_node',
  'ping',
  'announce_peer',
  'sample_infohashes',
  'malformed',
];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * `count` events from `startMicros`, `stepMicros` apart; the sequence number
 * is stored in announce_port for checking; targets are drawn from
 * `targetPool` infohashes.
 */
export function makeEvents(
  count: number,
  startMicros: number,
  stepMicros: number,
  seed = 1,
  firstSeq = 0,
  targetPool = 65_536,
): EventRecord[] {
  const rng = seededRandomBytes(seed);
  const events: EventRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng(8);
    const kind = KINDS[r[0]! % KINDS.length]!;
    const event: EventRecord = {
      ts: startMicros + i * stepMicros,
      sensorPort: 6881 + (r[1]! % 4),
      sensorId: hex(rng(20)),
      family: 4,
      remoteIp: `10.${r[2]}.${r[3]}.${r[4]! % 8}`,
      remotePort: 1024 + r[5]!,
      kind,
      txid: hex(rng(2)),
      announcePort: firstSeq + i,
      asn: 64500 + (r[6]! % 10),
      org: r[6]! % 3 === 0 ? 'Example, "Quoted" Org' : 'Plain Org',
      country: ['DE', 'US', 'FR'][r[7]! % 3]!,
    };
    if (kind !== 'malformed') {
      event.remoteId = hex(rng(20));
      const pick = rng(2);
      const n = ((pick[0]! << 8) | pick[1]!) % targetPool;
      event.target = n.toString(16).padStart(4, '0').padEnd(40, '0');
    } else {
      event.malformedReason = 'bencode.unexpected-end';
      event.raw = hex(rng(12));
    }
    if (kind === 'announce_peer') {
      event.impliedPort = (r[7]! & 1) === 1;
      event.tokenValid = true;
    }
    events.push(event);
  }
  return events;
}

/** A get_peers from `ip` for `target`, as one sensor identity heard it; `more` sets any other column. */
export function getPeersEvent(
  ts: number,
  ip: string,
  target: string,
  more: Partial<EventRecord> = {},
): EventRecord {
  return {
    ts: Math.round(ts),
    sensorPort: 6881,
    sensorId: 'ab'.repeat(20),
    family: 4,
    remoteIp: ip,
    remotePort: 6881,
    kind: 'get_peers',
    remoteId: 'cd'.repeat(20),
    target,
    ...more,
  };
}

/**
 * A store holding `events`, journalled in time order, in a new temporary
 * directory named after `prefix`; the directory is added to `roots` for
 * the caller to remove.
 */
export async function storeOfEvents(
  events: EventRecord[],
  roots: string[],
  prefix: string,
): Promise<StoreReader> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  roots.push(root);
  const layout = openDataDir(join(root, 'data'), { create: true });
  const journal = await Journal.open<EventRecord>(layout, EVENTS);
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) journal.append(e);
  await journal.close();
  return StoreReader.open(layout.root);
}

/** Synthetic events for store tests: deterministic, every column exercised. */
import { seededRandomBytes } from '../../src/protocol/random.ts';
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

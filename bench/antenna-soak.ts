/**
 * Memory soak of the antenna's whole path without sockets: 10 M queries
 * (1 M infohashes, 100 k source addresses and ids) fed straight into the
 * port's datagram handler, answered into a counting socket, recorded into a
 * real store. Prints RSS every million events: it must stay flat (≤ 300 MB).
 *
 *   node_modules/.bin/node --max-old-space-size=384 --max-semi-space-size=4 bench/antenna-soak.ts [events]
 *
 * (the heap flags are those `dhtscope antenna` restarts itself with).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint, Transport } from '../src/dht/transport.ts';
import { encodeKrpc } from '../src/protocol/krpc/index.ts';
import { seededRandomBytes } from '../src/protocol/random.ts';
import { Antenna } from '../src/sensor/antenna.ts';
import { resolveConfig } from '../src/sensor/config.ts';
import { silentLogger } from '../src/sensor/log.ts';

const total = Number(process.argv[2] ?? 10_000_000);
/** Node itself with the modules loaded: part of the antenna's share, unlike the soak's data. */
const NODE_BASE_MB = process.memoryUsage().rss / 1048576;
let handler: ((data: Uint8Array, from: Endpoint) => void) | undefined;
let answered = 0;
const fake: Transport = {
  local: { address: '127.0.0.1', port: 6881, family: 4 },
  send() {
    answered++;
  },
  onDatagram(h) {
    handler = h;
  },
  stats: { sent: 0, sendErrors: 0, received: 0, bytesSent: 0, bytesReceived: 0 },
  async close() {},
};

const rng = seededRandomBytes(0x50a4);
const sources = Array.from({ length: 100_000 }, (_, i) => ({
  from: {
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 1024 + (i % 60_000),
    family: 4 as const,
  },
  id: rng(20),
}));
// 1 M infohashes in one buffer (20 MB), so the soak's own data does not dwarf what it measures.
const hashPool = rng(20 * 1_000_000);
const hash = (n: number) => hashPool.subarray((n % 1_000_000) * 20, (n % 1_000_000) * 20 + 20);
// What the soak's own data costs, so the antenna's share can be told apart.
const dataRss = process.memoryUsage().rss;
const root = mkdtempSync(join(tmpdir(), 'dhtscope-soak-'));
const antenna = await Antenna.start(
  resolveConfig(
    {},
    {
      dataDir: join(root, 'data'),
      ports: [6881],
      idsPerPort: 1,
      bootstrap: ['127.0.0.1:9'],
      rateLimit: { perSecond: 1e9, burst: 1e9 },
    },
    'soak',
  ),
  { log: silentLogger, openSocket: async () => fake },
);
const t = new Uint8Array(2);
const started = Date.now();
console.log(
  `node + the soak's data: ${(dataRss / 1048576).toFixed(0)} MB before the antenna starts`,
);
console.log(`events  rss_mb  antenna_mb  heap_mb  answered  seconds`);
for (let i = 1; i <= total; i++) {
  const source = sources[(i * 7919) % sources.length]!;
  t[0] = i & 255;
  t[1] = (i >> 8) & 255;
  const datagram =
    i % 10 === 0
      ? encodeKrpc({ t, y: 'q', method: 'find_node', args: { id: source.id, target: hash(i) } })
      : encodeKrpc({
          t,
          y: 'q',
          method: 'get_peers',
          args: { id: source.id, infoHash: hash(i * 104_729) },
        });
  handler!(datagram, source.from);
  if (i % 1_000_000 === 0) {
    await new Promise((r) => setImmediate(r));
    const m = process.memoryUsage();
    const antennaMb = (m.rss - dataRss) / 1048576 + NODE_BASE_MB;
    console.log(
      `${i}  ${(m.rss / 1048576).toFixed(0)}  ${antennaMb.toFixed(0)}  ${(m.heapUsed / 1048576).toFixed(0)}  ${answered}  ${((Date.now() - started) / 1000).toFixed(0)}`,
    );
  } else if (i % 5000 === 0) {
    await new Promise((r) => setImmediate(r));
  }
}
await antenna.stop();
rmSync(root, { recursive: true, force: true });

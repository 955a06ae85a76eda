/**
 * UDP blaster: floods one or more loopback targets with realistic KRPC
 * queries, for the ingest benchmark of the sensor. Run it as its own process
 * (bench/udp-baseline.ts `blast` does), so that it does not share an event
 * loop with the receiver being measured:
 *
 *   node_modules/.bin/node bench/blaster.ts --target 127.0.0.1:6881[,127.0.0.1:6882…]
 *     [--seconds 5]      stop after this long (default 5 unless --count is given)
 *     [--count N]        stop after N datagrams (whichever of --seconds/--count comes first)
 *     [--rate R]         datagrams per second in all; default: as fast as possible
 *     [--sources 16]     source addresses 127.0.0.2 … 127.0.0.(1+sources), 1..250
 *     [--inflight 512]   sends awaiting their callback, at most
 *     [--pool 16384]     pre-encoded datagrams (≥ 4 × inflight)
 *     [--seed 1]         seed of the pool and of every choice: same seed, same traffic
 *
 * At the end it prints one JSON line on stdout:
 *   {"sent":…,"seconds":…,"rate":…,"errors":…,"bytes":…,"sources":…,"targets":…}
 * where `seconds` runs from the first send to the last send callback, and
 * `errors` counts send callbacks with an error (those datagrams are not in
 * `sent`). Exit code 2 on bad arguments.
 *
 * Traffic: 55 % get_peers, 25 % find_node, 12 % ping, 8 % announce_peer (token
 * of 4, 8 or 20 random bytes; implied_port on 60 %), built with encodeKrpc.
 * Every datagram has a 2-byte `t` (a counter), `v` on 90 % ("LT" + 2 bytes on
 * 75 %, "UT" on 15 %) and a BEP 32 `want` on some find_node/get_peers. The
 * sender id is drawn from 100,000 distinct ids and the infohash/target from
 * 1,000,000 distinct values, written into the pre-encoded datagram just
 * before it is sent; an id always leaves from the same source address
 * (id index mod sources), as a real node would. A datagram's bytes are
 * rewritten only when the whole pool has gone round since its last send, so
 * never while the kernel may still read them (pool ≥ 4 × inflight).
 *
 * Safety: every target and every source address is checked to lie in
 * 127.0.0.0/8 before any socket is opened. One UDP socket per (source,
 * target), bound to the source address and connected to the target, so that
 * `send` skips the address lookup. Linux routes all of 127.0.0.0/8 to the
 * loopback interface.
 */
import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import { parseArgs } from 'node:util';
import { encodeKrpc, type KrpcQuery, type MessageCommon } from '../src/protocol/krpc/index.ts';
import { seededRandomBytes } from '../src/protocol/random.ts';

export const DISTINCT_IDS = 100_000;
export const DISTINCT_INFOHASHES = 1_000_000;

export interface Target {
  address: string;
  port: number;
}

export interface BlasterOptions {
  targets: Target[];
  seconds: number;
  count: number;
  rate: number;
  sources: number;
  inflight: number;
  pool: number;
  seed: number;
}

export interface BlasterReport {
  sent: number;
  seconds: number;
  rate: number;
  errors: number;
  bytes: number;
  sources: number;
  targets: number;
  /** CPU time of the blaster process (user + system) while sending, in seconds. */
  cpuSeconds: number;
}

/** One pre-encoded query and where its variable parts sit. */
export interface PoolEntry {
  bytes: Buffer;
  /** Offset of the 2-byte transaction id. */
  tAt: number;
  /** Offset of the 20-byte sender id. */
  idAt: number;
  /** Offset of the 20-byte info_hash/target, -1 for ping. */
  keyAt: number;
}

export function isLoopbackV4(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

/** A fast seeded generator of 32-bit integers (xorshift32). */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 0x2545f491;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** `count` seeded 20-byte values back to back (filled a 32-bit word at a time: 20 MB in ~50 ms). */
function randomTable(count: number, seed: number): Buffer {
  const words = new Uint32Array(count * 5);
  const next = xorshift(seed);
  for (let i = 0; i < words.length; i++) words[i] = next();
  return Buffer.from(words.buffer);
}

/** Pre-encodes `size` queries; their ids, keys and `t` are overwritten at send time. */
export function buildPool(size: number, seed: number): PoolEntry[] {
  const bytes = seededRandomBytes(seed ^ 0x9e3779b9);
  const next = xorshift(seed);
  const below = (n: number) => next() % n;
  const pool: PoolEntry[] = [];
  for (let i = 0; i < size; i++) {
    const common: MessageCommon = { t: new Uint8Array([0x55, 0xaa]) };
    const client = below(100);
    if (client < 75)
      common.v = new Uint8Array([0x4c, 0x54, below(3), below(256)]); // "LT"
    else if (client < 90) common.v = new Uint8Array([0x55, 0x54, 0x33, 0x35 + below(3)]); // "UT"
    const id = bytes(20);
    const key = bytes(20);
    const want = below(100) < 15 ? (below(2) === 0 ? ['n4'] : ['n4', 'n6']) : undefined;
    const kind = below(100);
    let message: KrpcQuery;
    if (kind < 55) {
      message = { ...common, y: 'q', method: 'get_peers', args: { id, infoHash: key, want } };
    } else if (kind < 80) {
      message = { ...common, y: 'q', method: 'find_node', args: { id, target: key, want } };
    } else if (kind < 92) {
      message = { ...common, y: 'q', method: 'ping', args: { id } };
    } else {
      const tokenLength = [4, 4, 8, 20][below(4)]!;
      message = {
        ...common,
        y: 'q',
        method: 'announce_peer',
        args: {
          id,
          infoHash: key,
          port: 1024 + below(64512),
          token: bytes(tokenLength),
          impliedPort: below(10) < 6,
        },
      };
    }
    const encoded = Buffer.from(encodeKrpc(message));
    const tAt = encoded.indexOf('1:t2:') + 5;
    const idAt = encoded.indexOf(id);
    const keyAt = message.method === 'ping' ? -1 : encoded.indexOf(key);
    if (tAt < 5 || idAt < 0 || (message.method !== 'ping' && keyAt < 0)) {
      throw new Error('blaster: could not locate the fields of an encoded query');
    }
    pool.push({ bytes: encoded, tAt, idAt, keyAt });
  }
  return pool;
}

function parseTarget(text: string): Target {
  const match = /^([0-9.]+):(\d+)$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (match === null || !isLoopbackV4(match[1]!) || port < 1 || port > 65535) {
    throw new RangeError(`target ${text} is not 127.x.x.x:port`);
  }
  return { address: match[1]!, port };
}

export function parseOptions(argv: string[]): BlasterOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', multiple: true },
      seconds: { type: 'string' },
      count: { type: 'string' },
      rate: { type: 'string' },
      sources: { type: 'string', default: '16' },
      inflight: { type: 'string', default: '512' },
      pool: { type: 'string', default: '16384' },
      seed: { type: 'string', default: '1' },
    },
    strict: true,
  });
  const targets = (values.target ?? []).flatMap((t) => t.split(',')).map(parseTarget);
  if (targets.length === 0) throw new RangeError('at least one --target 127.x.x.x:port');
  const count = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
  const seconds =
    values.seconds === undefined
      ? values.count === undefined
        ? 5
        : Number.POSITIVE_INFINITY
      : Number(values.seconds);
  const options: BlasterOptions = {
    targets,
    seconds,
    count,
    rate: values.rate === undefined ? Number.POSITIVE_INFINITY : Number(values.rate),
    sources: Number(values.sources),
    inflight: Number(values.inflight),
    pool: Number(values.pool),
    seed: Number(values.seed),
  };
  if (!(options.seconds > 0) || !(options.count > 0) || !(options.rate > 0)) {
    throw new RangeError('--seconds, --count and --rate must be positive');
  }
  if (!Number.isInteger(options.sources) || options.sources < 1 || options.sources > 250) {
    throw new RangeError('--sources must be 1..250');
  }
  if (!Number.isInteger(options.inflight) || options.inflight < 1) {
    throw new RangeError('--inflight must be a positive integer');
  }
  if (!Number.isInteger(options.pool) || options.pool < 4 * options.inflight) {
    throw new RangeError('--pool must be at least 4 × --inflight');
  }
  return options;
}

/** Source addresses 127.0.0.2 … 127.0.0.(1 + n). */
export function sourceAddresses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${2 + i}`);
}

async function openSocket(source: string, target: Target): Promise<dgram.Socket> {
  if (!isLoopbackV4(source) || !isLoopbackV4(target.address)) {
    throw new RangeError(`refusing ${source} → ${target.address}: not loopback`);
  }
  const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, source, () => {
      socket.connect(target.port, target.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  });
  // A refused datagram (ICMP port unreachable) surfaces as a socket error on
  // connected sockets; count it through the send callbacks instead of dying.
  socket.on('error', () => {});
  return socket;
}

export async function runBlaster(options: BlasterOptions): Promise<BlasterReport> {
  const sources = sourceAddresses(options.sources);
  const pool = buildPool(options.pool, options.seed);
  const ids = randomTable(DISTINCT_IDS, options.seed ^ 0x1d5);
  const keys = randomTable(DISTINCT_INFOHASHES, options.seed ^ 0x1f0);
  const sockets: dgram.Socket[][] = [];
  for (const source of sources) {
    sockets.push(await Promise.all(options.targets.map((t) => openSocket(source, t))));
  }
  const next = xorshift(options.seed ^ 0x5eed);
  const targetCount = options.targets.length;
  const sourceCount = sources.length;

  let sent = 0; // send callbacks without error
  let errors = 0;
  let bytes = 0;
  let issued = 0; // send calls made
  let inflight = 0;
  let cursor = 0;
  let stopping = false;
  let scheduled = false;
  let lastError: Error | null = null;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  let finish: (endedAt: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });

  // One shared callback: dgram passes the byte count, so no closure per send.
  const onSent = (err: Error | null, length: number) => {
    inflight--;
    if (err) {
      errors++;
      lastError = err;
    } else {
      sent++;
      bytes += length;
    }
    if (stopping) {
      if (inflight === 0) finish(performance.now());
    } else {
      pump();
    }
  };

  function sendOne() {
    const entry = pool[cursor]!;
    cursor = cursor + 1 === pool.length ? 0 : cursor + 1;
    const buf = entry.bytes;
    const idIndex = next() % DISTINCT_IDS;
    ids.copy(buf, entry.idAt, idIndex * 20, idIndex * 20 + 20);
    if (entry.keyAt >= 0) {
      const keyIndex = next() % DISTINCT_INFOHASHES;
      keys.copy(buf, entry.keyAt, keyIndex * 20, keyIndex * 20 + 20);
    }
    buf[entry.tAt] = (issued >>> 8) & 0xff;
    buf[entry.tAt + 1] = issued & 0xff;
    const socket = sockets[idIndex % sourceCount]![issued % targetCount]!;
    issued++;
    inflight++;
    socket.send(buf, onSent);
  }

  function stop() {
    if (stopping) return;
    stopping = true;
    if (inflight === 0) finish(performance.now());
  }

  function pump() {
    if (stopping) return;
    const now = performance.now();
    if (now >= deadline || issued >= options.count) return stop();
    const allowed = Number.isFinite(options.rate)
      ? Math.min(options.count, Math.floor(((now - started) / 1000) * options.rate) + 1)
      : options.count;
    let budget = Math.min(allowed - issued, options.inflight - inflight, 256);
    while (budget-- > 0) sendOne();
    if (issued >= options.count) return stop();
    if (issued >= allowed && !scheduled) {
      // Rate-limited: come back when the next datagram is due.
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        pump();
      }, 1);
    } else if (inflight < options.inflight && !scheduled) {
      // Chunked so that callbacks and timers get a turn.
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        pump();
      });
    }
  }

  pump();
  const ended = await finished;
  await Promise.all(
    sockets.flat().map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
  const cpu = process.cpuUsage(cpuStart);
  if (sent === 0 && lastError !== null) throw lastError;
  const seconds = (ended - started) / 1000;
  return {
    sent,
    seconds,
    rate: sent / seconds,
    errors,
    bytes,
    sources: sourceCount,
    targets: targetCount,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

if (import.meta.main) {
  let options: BlasterOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`blaster: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const report = await runBlaster(options);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

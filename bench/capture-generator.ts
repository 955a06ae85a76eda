/**
 * Writes a large synthetic capture (classic pcap, Ethernet, IPv4) that looks
 * like a busy border link with BitTorrent on it: bulk TCP transfers with
 * correct sequence numbers (so reassembly delivers every byte), pure ACKs,
 * Mainline DHT queries and responses (nodes, and peer values), uTP data,
 * unanswered connection attempts, four scanners sweeping one port, and
 * connection churn. Deterministic (seeded), written in 4 MiB chunks by
 * patching packet templates, so writing costs little.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeKrpc } from '../src/protocol/krpc/index.ts';

const CHUNK = 4 * 1024 * 1024;

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

interface Flow {
  client: number;
  server: number;
  cport: number;
  sport: number;
  cseq: number;
  sseq: number;
  left: number;
}

export interface GeneratedCapture {
  bytes: number;
  packets: number;
}

export function writeSyntheticCapture(
  path: string,
  targetBytes: number,
  seed = 0x5eed,
): GeneratedCapture {
  const rng = new Rng(seed);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(CHUNK + 4096);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const noise = Buffer.alloc(64 * 1024);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.below(256);
  // Pool of real DHT traffic: get_peers queries and their responses. As on
  // the live DHT, most responses carry 8 closer nodes; one in four carries
  // peer values (5 to 30 of them).
  const krpc: { query: Uint8Array; response: Uint8Array }[] = [];
  for (let k = 0; k < 64; k++) {
    const t = new Uint8Array([k, 7]);
    const query = encodeKrpc({
      y: 'q',
      t,
      method: 'get_peers',
      args: { id: noise.subarray(k, k + 20), infoHash: noise.subarray(k + 20, k + 40) },
    });
    const id = noise.subarray(k + 40, k + 60);
    const token = noise.subarray(0, 8);
    const response =
      k % 4 === 0
        ? encodeKrpc({
            y: 'r',
            t,
            result: {
              id,
              token,
              values: Array.from({ length: 5 + (k % 26) }, (_, i) => ({
                address: `100.${64 + (k & 63)}.${i}.${(k * 7 + i) & 255}`,
                port: 1024 + ((k * 997 + i * 131) % 60000),
              })),
            },
          })
        : encodeKrpc({
            y: 'r',
            t,
            result: {
              id,
              token,
              nodes: Array.from({ length: 8 }, (_, i) => ({
                id: noise.subarray(k + i, k + i + 20),
                address: `100.${(k + i) & 63}.${i}.${k & 255}`,
                port: 1024 + ((k * 131 + i * 997) % 60000),
              })),
            },
          });
    krpc.push({ query, response });
  }
  let at = 0;
  let total = 0;
  let packets = 0;
  let ts = 1_763_700_000_000_000;
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  header.copy(buf, 0);
  at = 24;

  const flush = () => {
    writeSync(fd, buf, 0, at);
    total += at;
    at = 0;
  };
  /** Writes record + Ethernet + IPv4 headers; returns the offset of the transport header. */
  const ip = (src: number, dst: number, protocol: number, transportLength: number): number => {
    const frameLength = 14 + 20 + transportLength;
    if (at + 16 + frameLength > buf.length) flush();
    ts += 1 + rng.below(4);
    view.setUint32(at, Math.floor(ts / 1e6), true);
    view.setUint32(at + 4, ts % 1e6, true);
    view.setUint32(at + 8, frameLength, true);
    view.setUint32(at + 12, frameLength, true);
    const e = at + 16;
    view.setUint32(e, 0x02000000);
    view.setUint16(e + 4, 0x0001);
    view.setUint32(e + 6, 0x02000000);
    view.setUint16(e + 10, 0x0002);
    view.setUint16(e + 12, 0x0800);
    const i = e + 14;
    view.setUint32(i, 0x45000000 | (20 + transportLength));
    view.setUint32(i + 4, 0x40000000);
    view.setUint32(i + 8, (64 << 24) | (protocol << 16));
    view.setUint32(i + 12, src);
    view.setUint32(i + 16, dst);
    at = i + 20 + transportLength;
    packets++;
    return i + 20;
  };
  const tcp = (
    src: number,
    dst: number,
    sp: number,
    dp: number,
    seq: number,
    ack: number,
    flags: number,
    payload: number,
  ) => {
    const t = ip(src, dst, 6, 20 + payload);
    view.setUint16(t, sp);
    view.setUint16(t + 2, dp);
    view.setUint32(t + 4, seq >>> 0);
    view.setUint32(t + 8, ack >>> 0);
    view.setUint16(t + 12, (5 << 12) | flags);
    view.setUint32(t + 14, 0xffff0000);
    view.setUint16(t + 18, 0);
    if (payload > 0) {
      const from = rng.below(noise.length - payload);
      noise.copy(buf, t + 20, from, from + payload);
    }
  };
  const udp = (src: number, dst: number, sp: number, dp: number, payload: Uint8Array | number) => {
    const length = typeof payload === 'number' ? payload : payload.length;
    const u = ip(src, dst, 17, 8 + length);
    view.setUint16(u, sp);
    view.setUint16(u + 2, dp);
    view.setUint16(u + 4, 8 + length);
    view.setUint16(u + 6, 0);
    if (typeof payload === 'number') {
      const from = rng.below(noise.length - length);
      noise.copy(buf, u + 8, from, from + length);
      buf[u + 8] = 0x01; // uTP: ST_DATA, version 1
      buf[u + 9] = 0;
    } else buf.set(payload, u + 8);
  };
  const client = () => (10 << 24) | rng.below(1 << 16);
  const server = () => ((198 << 24) | (18 << 16) | rng.below(1 << 16)) >>> 0;
  const open = (): Flow => {
    const f: Flow = {
      client: client(),
      server: server(),
      cport: 1024 + rng.below(60000),
      sport: rng.below(4) === 0 ? 443 : 1024 + rng.below(60000),
      cseq: rng.next(),
      sseq: rng.next(),
      left: 20 + rng.below(400),
    };
    tcp(f.client, f.server, f.cport, f.sport, f.cseq, 0, 0x02, 0);
    tcp(f.server, f.client, f.sport, f.cport, f.sseq, f.cseq + 1, 0x12, 0);
    f.cseq += 1;
    f.sseq += 1;
    tcp(f.client, f.server, f.cport, f.sport, f.cseq, f.sseq, 0x10, 0);
    return f;
  };
  const flows: Flow[] = Array.from({ length: 4000 }, open);
  let sweep = 0;
  while (total + at < targetBytes) {
    const r = rng.below(100);
    const k = rng.below(flows.length);
    const f = flows[k]!;
    if (r < 55) {
      const length = rng.below(5) === 0 ? 100 + rng.below(1300) : 1448;
      if (rng.below(10) < 7) {
        tcp(f.server, f.client, f.sport, f.cport, f.sseq, f.cseq, 0x18, length);
        f.sseq += length;
      } else {
        tcp(f.client, f.server, f.cport, f.sport, f.cseq, f.sseq, 0x18, length);
        f.cseq += length;
      }
      if (--f.left === 0) {
        tcp(f.client, f.server, f.cport, f.sport, f.cseq, f.sseq, 0x11, 0);
        tcp(f.server, f.client, f.sport, f.cport, f.sseq, f.cseq + 1, 0x11, 0);
        tcp(f.client, f.server, f.cport, f.sport, f.cseq + 1, f.sseq + 1, 0x10, 0);
        flows[k] = open();
      }
    } else if (r < 80) {
      tcp(f.client, f.server, f.cport, f.sport, f.cseq, f.sseq, 0x10, 0);
    } else if (r < 86) {
      const pair = krpc[rng.below(krpc.length)]!;
      const node = server();
      udp(f.client, node, 6881, 6881, pair.query);
      udp(node, f.client, 6881, 6881, pair.response);
    } else if (r < 95) {
      udp(f.client, f.server, f.cport, f.sport, 300 + rng.below(1100));
    } else {
      if (rng.below(4) === 0) {
        // One of four scanners sweeping port 445 across the client range; some probes refused.
        const scanner = ((203 << 24) | (0 << 16) | (113 << 8) | (1 + rng.below(4))) >>> 0;
        const target = (10 << 24) | (sweep++ & 0xffff);
        tcp(scanner, target, 40000 + rng.below(20000), 445, rng.next(), 0, 0x02, 0);
        if (sweep % 3 === 0) tcp(target, scanner, 445, 40000, 0, 0, 0x14, 0);
      } else {
        // A failed attempt: a SYN nobody answers.
        const target = server();
        const port = 1024 + rng.below(60000);
        tcp(f.client, target, 30000 + rng.below(30000), port, rng.next(), 0, 0x02, 0);
      }
    }
  }
  flush();
  closeSync(fd);
  return { bytes: total, packets };
}

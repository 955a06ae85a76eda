/**
 * Builds packets and capture files byte by byte for tests: Ethernet, raw IP,
 * Linux cooked and loopback framing, IPv4/IPv6 with TCP/UDP, written as
 * classic pcap (µs or ns, either byte order) or pcapng (either byte order,
 * any interface resolution, enhanced or simple packet blocks).
 */

export interface TcpSpec {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  /** Flag letters: S A F R P. */
  flags: string;
  seq?: number;
  ack?: number;
  payload?: Uint8Array;
}

export interface UdpSpec {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload?: Uint8Array;
}

function ipBytes(text: string): Uint8Array {
  if (!text.includes(':')) return Uint8Array.from(text.split('.').map(Number));
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 255;
  });
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function tcpSegment(spec: TcpSpec): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, spec.srcPort);
  v.setUint16(2, spec.dstPort);
  v.setUint32(4, (spec.seq ?? 1000) >>> 0);
  v.setUint32(8, (spec.ack ?? 0) >>> 0);
  h[12] = 5 << 4;
  let flags = 0;
  for (const c of spec.flags) flags |= { F: 1, S: 2, R: 4, P: 8, A: 16 }[c] ?? 0;
  h[13] = flags;
  v.setUint16(14, 65535);
  return concat(h, payload);
}

export function udpDatagram(spec: UdpSpec): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, spec.srcPort);
  v.setUint16(2, spec.dstPort);
  v.setUint16(4, 8 + payload.length);
  return concat(h, payload);
}

export interface IpOptions {
  /** IPv4 options bytes (a multiple of 4). */
  options?: Uint8Array;
  /** IPv4 fragment offset in 8-byte units, and the more-fragments flag. */
  fragmentOffset?: number;
  moreFragments?: boolean;
  /** IPv6 extension headers to put before the transport (hop-by-hop, destination options). */
  extensions?: number;
}

export function ipPacket(
  src: string,
  dst: string,
  protocol: number,
  body: Uint8Array,
  opts: IpOptions = {},
): Uint8Array {
  if (src.includes(':')) {
    const extensions: Uint8Array[] = [];
    let next = protocol;
    for (let i = 0; i < (opts.extensions ?? 0); i++) {
      const ext = new Uint8Array(8);
      ext[0] = next;
      ext[1] = 0;
      extensions.unshift(ext);
      next = i % 2 === 0 ? 60 : 0;
    }
    const payload = concat(...extensions, body);
    const h = new Uint8Array(40);
    const v = new DataView(h.buffer);
    h[0] = 0x60;
    v.setUint16(4, payload.length);
    h[6] = next;
    h[7] = 64;
    h.set(ipBytes(src), 8);
    h.set(ipBytes(dst), 24);
    return concat(h, payload);
  }
  const options = opts.options ?? new Uint8Array(0);
  const h = new Uint8Array(20 + options.length);
  const v = new DataView(h.buffer);
  h[0] = 0x40 | ((20 + options.length) / 4);
  v.setUint16(2, h.length + body.length);
  v.setUint16(6, ((opts.moreFragments ? 1 : 0) << 13) | (opts.fragmentOffset ?? 0));
  h[8] = 64;
  h[9] = protocol;
  h.set(ipBytes(src), 12);
  h.set(ipBytes(dst), 16);
  h.set(options, 20);
  return concat(h, body);
}

export function tcpPacket(spec: TcpSpec, opts?: IpOptions): Uint8Array {
  return ipPacket(spec.src, spec.dst, 6, tcpSegment(spec), opts);
}

export function udpPacket(spec: UdpSpec, opts?: IpOptions): Uint8Array {
  return ipPacket(spec.src, spec.dst, 17, udpDatagram(spec), opts);
}

/** Wraps an IP packet for a link type. `vlans` adds 802.1Q tags (Ethernet only; 0x88a8 for the outer one when two). */
export function frame(linkType: number, ip: Uint8Array, vlans = 0): Uint8Array {
  const v6 = ip[0]! >> 4 === 6;
  const etherType = v6 ? 0x86dd : 0x0800;
  switch (linkType) {
    case 1: {
      const h = new Uint8Array(14 + vlans * 4);
      const v = new DataView(h.buffer);
      h.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
      let at = 12;
      for (let i = 0; i < vlans; i++) {
        v.setUint16(at, i === 0 && vlans > 1 ? 0x88a8 : 0x8100);
        v.setUint16(at + 2, 100 + i);
        at += 4;
      }
      v.setUint16(at, etherType);
      return concat(h, ip);
    }
    case 101:
    case 12:
    case 14:
      return ip;
    case 113: {
      const h = new Uint8Array(16);
      new DataView(h.buffer).setUint16(14, etherType);
      return concat(h, ip);
    }
    case 276: {
      const h = new Uint8Array(20);
      new DataView(h.buffer).setUint16(0, etherType);
      return concat(h, ip);
    }
    case 0: {
      const h = new Uint8Array(4);
      new DataView(h.buffer).setUint32(0, v6 ? 30 : 2, true);
      return concat(h, ip);
    }
    case 108: {
      const h = new Uint8Array(4);
      new DataView(h.buffer).setUint32(0, v6 ? 24 : 2, false);
      return concat(h, ip);
    }
    default:
      throw new Error(`no framing for link type ${linkType}`);
  }
}

export interface Frame {
  /** µs since the epoch. */
  ts: number;
  data: Uint8Array;
}

export function pcapFile(
  frames: readonly Frame[],
  opts: { linkType?: number; nano?: boolean; bigEndian?: boolean } = {},
): Uint8Array {
  const little = opts.bigEndian !== true;
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, little);
  hv.setUint16(4, 2, little);
  hv.setUint16(6, 4, little);
  hv.setUint32(16, 262144, little);
  hv.setUint32(20, opts.linkType ?? 1, little);
  const records = frames.map((f) => {
    const r = new Uint8Array(16 + f.data.length);
    const v = new DataView(r.buffer);
    const sec = Math.floor(f.ts / 1e6);
    const micros = f.ts - sec * 1e6;
    v.setUint32(0, sec, little);
    v.setUint32(4, opts.nano ? micros * 1000 : micros, little);
    v.setUint32(8, f.data.length, little);
    v.setUint32(12, f.data.length, little);
    r.set(f.data, 16);
    return r;
  });
  return concat(header, ...records);
}

function block(type: number, body: Uint8Array, little: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const out = new Uint8Array(12 + padded);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, little);
  v.setUint32(4, out.length, little);
  out.set(body, 8);
  v.setUint32(out.length - 4, out.length, little);
  return out;
}

export interface NgInterface {
  linkType: number;
  /** if_tsresol byte; omitted means microseconds. */
  tsresol?: number;
}

export interface NgSection {
  bigEndian?: boolean;
  interfaces: NgInterface[];
  /** Packets with the interface they came in on; `simple` writes a simple packet block (interface 0). */
  packets: (Frame & { iface?: number; simple?: boolean })[];
  /** Put a block of an unknown type between packets. */
  extraBlocks?: boolean;
}

export function pcapngFile(sections: readonly NgSection[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const section of sections) {
    const little = section.bigEndian !== true;
    const shb = new Uint8Array(16);
    const sv = new DataView(shb.buffer);
    sv.setUint32(0, 0x1a2b3c4d, little);
    sv.setUint16(4, 1, little);
    sv.setUint16(6, 0, little);
    sv.setInt32(8, -1, little);
    sv.setInt32(12, -1, little);
    parts.push(block(0x0a0d0d0a, shb, little));
    const units: number[] = [];
    for (const iface of section.interfaces) {
      const opts = iface.tsresol === undefined ? new Uint8Array(0) : new Uint8Array(12);
      if (iface.tsresol !== undefined) {
        const ov = new DataView(opts.buffer);
        ov.setUint16(0, 9, little);
        ov.setUint16(2, 1, little);
        opts[4] = iface.tsresol;
        // then opt_endofopt (0, 0)
      }
      const body = new Uint8Array(8 + opts.length);
      const bv = new DataView(body.buffer);
      bv.setUint16(0, iface.linkType, little);
      bv.setUint32(4, 262144, little);
      body.set(opts, 8);
      parts.push(block(1, body, little));
      const r = iface.tsresol ?? 6;
      units.push(r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r);
    }
    for (const p of section.packets) {
      if (section.extraBlocks) parts.push(block(5, new Uint8Array(12), little));
      if (p.simple) {
        const body = new Uint8Array(4 + p.data.length);
        new DataView(body.buffer).setUint32(0, p.data.length, little);
        body.set(p.data, 4);
        parts.push(block(3, body, little));
        continue;
      }
      const iface = p.iface ?? 0;
      const perSecond = units[iface]!;
      const t = (BigInt(Math.round(p.ts)) * BigInt(perSecond)) / 1_000_000n;
      const body = new Uint8Array(20 + p.data.length);
      const bv = new DataView(body.buffer);
      bv.setUint32(0, iface, little);
      bv.setUint32(4, Number(t >> 32n), little);
      bv.setUint32(8, Number(t & 0xffffffffn), little);
      bv.setUint32(12, p.data.length, little);
      bv.setUint32(16, p.data.length, little);
      body.set(p.data, 20);
      parts.push(block(6, body, little));
    }
  }
  return concat(...parts);
}

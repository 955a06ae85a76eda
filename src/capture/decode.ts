/**
 * From a captured frame to the fields of its TCP segment or UDP datagram:
 * link layer (Ethernet with 802.1Q/802.1ad tags, raw IP, Linux cooked v1/v2,
 * BSD loopback), IPv4 (options; fragments after the first are counted and
 * skipped) and IPv6 (extension headers skipped). Results go into one reused
 * object; IPv6 addresses become ids of the address table, IPv4 addresses
 * stay numbers (see DecodedPacket).
 */
import type { AddressTable } from './addresses.ts';

export const LINK_NULL = 0;
export const LINK_ETHERNET = 1;
export const LINK_RAW_12 = 12;
export const LINK_RAW_14 = 14;
export const LINK_LOOP = 108;
export const LINK_RAW = 101;
export const LINK_LINUX_SLL = 113;
export const LINK_LINUX_SLL2 = 276;

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

/** What was skipped, and why: bad packets are counted, never thrown. */
export class DecodeCounters {
  frames = 0;
  tcp = 0;
  udp = 0;
  /** Link types this reader does not know. */
  unknownLink = 0;
  /** ARP, LLDP and other non-IP frames. */
  notIp = 0;
  /** ICMP, SCTP, … */
  otherTransport = 0;
  /** IPv4 or IPv6 fragments after the first (their ports are in the first). */
  laterFragments = 0;
  /** Headers cut short by the snapshot length or inconsistent lengths. */
  malformed = 0;
}

export class DecodedPacket {
  /**
   * Whether `src` and `dst` are IPv6 address ids. Otherwise they are the IPv4
   * addresses themselves, as signed 32-bit numbers (`AddressTable.idOf` makes
   * either an id). IPv4 is not looked up per packet: most TCP segments belong
   * to a connection the flow table knows by its addresses already, and two
   * lookups a segment cost `pcap analyze` 6 % of its time on the bench capture.
   */
  v6 = false;
  src = 0;
  dst = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  /** As a signed 32-bit integer: sequence arithmetic wraps anyway, and small integers need no heap number. */
  seq = 0;
  payloadOffset = 0;
  payloadLength = 0;
}

export class PacketDecoder {
  readonly counters = new DecodeCounters();
  readonly packet = new DecodedPacket();
  private readonly addresses: AddressTable;

  constructor(addresses: AddressTable) {
    this.addresses = addresses;
  }

  /** Fills `packet`; returns PROTO_TCP, PROTO_UDP, or 0 when the frame is skipped. */
  decode(
    linkType: number,
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    caplen: number,
  ): number {
    const counters = this.counters;
    counters.frames++;
    const end = offset + caplen;
    let at = offset;
    let etherType = 0;
    switch (linkType) {
      case LINK_ETHERNET: {
        if (caplen < 14) return this.malformed();
        etherType = view.getUint16(at + 12);
        at += 14;
        // 802.1Q, 802.1ad and the older QinQ tag, possibly stacked.
        while (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) {
          if (at + 4 > end) return this.malformed();
          etherType = view.getUint16(at + 2);
          at += 4;
        }
        break;
      }
      case LINK_RAW:
      case LINK_RAW_12:
      case LINK_RAW_14:
        if (caplen < 1) return this.malformed();
        etherType = bytes[at]! >> 4 === 6 ? 0x86dd : 0x0800;
        break;
      case LINK_LINUX_SLL:
        if (caplen < 16) return this.malformed();
        etherType = view.getUint16(at + 14);
        at += 16;
        break;
      case LINK_LINUX_SLL2:
        if (caplen < 20) return this.malformed();
        etherType = view.getUint16(at);
        at += 20;
        break;
      case LINK_NULL:
      case LINK_LOOP: {
        if (caplen < 4) return this.malformed();
        // The family is in the capturing host's byte order (NULL) or network order (LOOP).
        let family = view.getUint32(at, true);
        if (family > 0xffff) family = view.getUint32(at, false);
        at += 4;
        if (family === 2) etherType = 0x0800;
        else if (family === 24 || family === 28 || family === 30 || family === 10)
          etherType = 0x86dd;
        else {
          counters.notIp++;
          return 0;
        }
        break;
      }
      default:
        counters.unknownLink++;
        return 0;
    }
    if (etherType === 0x0800) return this.ipv4(bytes, view, at, end);
    if (etherType === 0x86dd) return this.ipv6(bytes, view, at, end);
    counters.notIp++;
    return 0;
  }

  private malformed(): number {
    this.counters.malformed++;
    return 0;
  }

  private ipv4(bytes: Uint8Array, view: DataView, at: number, end: number): number {
    if (at + 20 > end) return this.malformed();
    const first = bytes[at]!;
    const headerLength = (first & 15) * 4;
    if (first >> 4 !== 4 || headerLength < 20) return this.malformed();
    const total = view.getUint16(at + 2);
    // Trust the IP length over the frame (Ethernet pads short frames), but not past the capture.
    const ipEnd = total >= headerLength && at + total < end ? at + total : end;
    if (at + headerLength > ipEnd) return this.malformed();
    if ((view.getUint16(at + 6) & 0x1fff) !== 0) {
      this.counters.laterFragments++;
      return 0;
    }
    const protocol = bytes[at + 9]!;
    if (protocol !== PROTO_TCP && protocol !== PROTO_UDP) {
      this.counters.otherTransport++;
      return 0;
    }
    const packet = this.packet;
    packet.v6 = false;
    packet.src = view.getInt32(at + 12);
    packet.dst = view.getInt32(at + 16);
    return this.transport(protocol, view, at + headerLength, ipEnd);
  }

  private ipv6(bytes: Uint8Array, view: DataView, at: number, end: number): number {
    if (at + 40 > end) return this.malformed();
    if (bytes[at]! >> 4 !== 6) return this.malformed();
    const payloadLength = view.getUint16(at + 4);
    const ipEnd =
      payloadLength > 0 && at + 40 + payloadLength < end ? at + 40 + payloadLength : end;
    let next = bytes[at + 6]!;
    const packet = this.packet;
    packet.v6 = true;
    packet.src = this.addresses.internV6(bytes, view, at + 8);
    packet.dst = this.addresses.internV6(bytes, view, at + 24);
    let p = at + 40;
    for (let hops = 0; hops < 16; hops++) {
      if (
        next === 0 ||
        next === 43 ||
        next === 60 ||
        next === 135 ||
        next === 139 ||
        next === 140
      ) {
        if (p + 8 > ipEnd) return this.malformed();
        next = bytes[p]!;
        p += (bytes[p + 1]! + 1) * 8;
      } else if (next === 44) {
        if (p + 8 > ipEnd) return this.malformed();
        if ((view.getUint16(p + 2) & 0xfff8) !== 0) {
          this.counters.laterFragments++;
          return 0;
        }
        next = bytes[p]!;
        p += 8;
      } else if (next === 51) {
        if (p + 8 > ipEnd) return this.malformed();
        next = bytes[p]!;
        p += (bytes[p + 1]! + 2) * 4;
      } else break;
    }
    if (p > ipEnd) return this.malformed();
    return this.transport(next, view, p, ipEnd);
  }

  private transport(protocol: number, view: DataView, at: number, end: number): number {
    const packet = this.packet;
    if (protocol === PROTO_TCP) {
      if (at + 20 > end) return this.malformed();
      const headerLength = (view.getUint8(at + 12) >> 4) * 4;
      if (headerLength < 20 || at + headerLength > end) return this.malformed();
      packet.srcPort = view.getUint16(at);
      packet.dstPort = view.getUint16(at + 2);
      packet.seq = view.getInt32(at + 4);
      packet.tcpFlags = view.getUint8(at + 13);
      packet.payloadOffset = at + headerLength;
      packet.payloadLength = end - at - headerLength;
      this.counters.tcp++;
      return PROTO_TCP;
    }
    if (protocol === PROTO_UDP) {
      if (at + 8 > end) return this.malformed();
      packet.srcPort = view.getUint16(at);
      packet.dstPort = view.getUint16(at + 2);
      const length = view.getUint16(at + 4);
      const udpEnd = length >= 8 && at + length < end ? at + length : end;
      packet.payloadOffset = at + 8;
      packet.payloadLength = udpEnd - at - 8;
      this.counters.udp++;
      return PROTO_UDP;
    }
    this.counters.otherTransport++;
    return 0;
  }
}

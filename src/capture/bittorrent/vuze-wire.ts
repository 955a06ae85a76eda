/**
 * The Vuze (Azureus) DHT wire format, as far as it is needed to find peers:
 * packet headers, contacts, and the body of a find-value reply. Big-endian
 * throughout; which fields exist depends on the packet's protocol version.
 * Requests start with a connection id whose top bit is set; replies start with
 * the action (1024 and up), so the first bit tells them apart.
 *
 * Every reader returns the offset after what it read, or -1 when the packet
 * is shorter or stranger than the format allows: the packet is then not Vuze.
 */
import { readCompactPeer } from '../../protocol/net/compact.ts';
import { u16, u32 } from './byte-buffer.ts';

/** Protocol versions at which fields appear. */
const PV_DIV_AND_CONT = 6;
const PV_ANTI_SPOOF = 7;
const PV_NETWORKS = 9; // also FIX_ORIGINATOR: the local protocol version byte
const PV_VIVALDI = 10;
const PV_REMOVE_DIST_ADD_VER = 11;
const PV_XFER_STATUS = 12;
const PV_SIZE_ESTIMATE = 13;
const PV_VENDOR_ID = 14;
const PV_GENERIC_NETPOS = 15;
const PV_VIVALDI_FINDVALUE = 16;
const PV_LONGER_LIFE = 23;
const PV_REPLICATION_CONTROL = 24;
const PV_PACKET_FLAGS = 51;
const PV_PACKET_FLAGS2 = 53;
/** Versions seen in the wild run from about 6 to 60; a wider band lets look-alikes in. */
const MIN_VERSION = 1;
const MAX_VERSION = 80;

/** Request actions: ping, store, find node, find value, stats, data, key block, query store. */
export const VUZE_REQUEST_ACTIONS = new Set([1024, 1026, 1028, 1030, 1034, 1035, 1036, 1038]);
/** Reply actions: the requests' answers, error (1032) and stats (1033). */
export const VUZE_REPLY_ACTIONS = new Set([1025, 1027, 1029, 1031, 1032, 1033, 1037, 1039]);
export const FIND_NODE_REPLY = 1029;
export const FIND_VALUE_REQUEST = 1030;
export const FIND_VALUE_REPLY = 1031;

export interface VuzeHeader {
  request: boolean;
  action: number;
  transaction: number;
  version: number;
  /** Where the body starts. */
  end: number;
}

/** One address as Vuze writes it: a length byte (4 or 16), the address, a port. */
export interface VuzeAddress {
  address: string;
  port: number;
  end: number;
}

/**
 * The header of a request or reply, or undefined if the packet does not have
 * the structure of one. The header is written into `out` (no allocation).
 */
export function readVuzeHeader(b: Uint8Array, out: VuzeHeader): boolean {
  if (b.length < 21) return false;
  if ((b[0]! & 0x80) !== 0) {
    const action = u32(b, 8);
    if (!VUZE_REQUEST_ACTIONS.has(action)) return false;
    const version = b[16]!;
    if (version < MIN_VERSION || version > MAX_VERSION) return false;
    let p = 17;
    if (version >= PV_VENDOR_ID) p += 1;
    if (version >= PV_NETWORKS) p += 5; // network id, local protocol version
    p = skipAddress(b, p);
    if (p < 0) return false;
    p += 12; // instance id, time
    if (version >= PV_PACKET_FLAGS) p += 1;
    if (version >= PV_PACKET_FLAGS2) p += 1;
    if (p > b.length) return false;
    out.request = true;
    out.action = action;
    out.transaction = u32(b, 12);
    out.version = version;
    out.end = p;
    return true;
  }
  const action = u32(b, 0);
  if (!VUZE_REPLY_ACTIONS.has(action) || (b[8]! & 0x80) === 0) return false;
  const version = b[16]!;
  if (version < MIN_VERSION || version > MAX_VERSION) return false;
  let p = 17;
  if (version >= PV_VENDOR_ID) p += 1;
  if (version >= PV_NETWORKS) p += 4;
  p += 4; // instance id
  if (version >= PV_PACKET_FLAGS) p += 1;
  if (version >= PV_PACKET_FLAGS2) p += 1;
  if (p > b.length) return false;
  out.request = false;
  out.action = action;
  out.transaction = u32(b, 4);
  out.version = version;
  out.end = p;
  return true;
}

function skipAddress(b: Uint8Array, p: number): number {
  if (p >= b.length) return -1;
  const length = b[p]!;
  if (length !== 4 && length !== 16) return -1;
  const end = p + 1 + length + 2;
  return end <= b.length ? end : -1;
}

export function readVuzeAddress(b: Uint8Array, p: number): VuzeAddress | undefined {
  const end = skipAddress(b, p);
  // The length byte is 4 or 16: what follows is a compact peer (address, port).
  const peer = end < 0 ? null : readCompactPeer(b, p + 1, end - p - 1);
  return peer === null ? undefined : { address: peer.address, port: peer.port, end };
}

/** A contact: type (1 = UDP), its protocol version, an address. */
export function readVuzeContact(b: Uint8Array, p: number): VuzeAddress | undefined {
  if (p + 2 > b.length || b[p] !== 1) return undefined;
  return readVuzeAddress(b, p + 2);
}

/**
 * Network coordinates: from version 15 a count, then (type, size, bytes)
 * each; before it, one Vivaldi position of four floats.
 */
function skipCoordinates(b: Uint8Array, p: number, version: number): number {
  if (version < PV_GENERIC_NETPOS) return p + 16 <= b.length ? p + 16 : -1;
  if (p >= b.length) return -1;
  let count = b[p++]!;
  while (count-- > 0) {
    if (p + 2 > b.length) return -1;
    p += 2 + b[p + 1]!;
  }
  return p <= b.length ? p : -1;
}

/** A count (short) and that many contacts, into `out`; the offset after them, or -1. */
function readContacts(b: Uint8Array, p: number, out: VuzeAddress[]): number {
  if (p + 2 > b.length) return -1;
  let count = u16(b, p);
  p += 2;
  while (count-- > 0) {
    const contact = readVuzeContact(b, p);
    if (contact === undefined) return -1;
    out.push(contact);
    p = contact.end;
  }
  return p;
}

/** The contacts of a find-node reply (after the header), or a reason it cannot be read. */
export function readFindNodeReply(
  b: Uint8Array,
  p: number,
  version: number,
): VuzeAddress[] | string {
  if (version >= PV_ANTI_SPOOF) p += 4; // spoof id
  if (version >= PV_XFER_STATUS) p += 4; // node type
  if (version >= PV_SIZE_ESTIMATE) p += 4; // estimated DHT size
  if (version >= PV_VIVALDI) p = skipCoordinates(b, p, version);
  if (p < 0 || p > b.length) return 'truncated';
  const contacts: VuzeAddress[] = [];
  return readContacts(b, p, contacts) < 0 ? 'bad-contact' : contacts;
}

/** A value of a find-value reply: its bytes and the contact that stored it. */
export interface VuzeValue {
  bytes: Uint8Array;
  originator: VuzeAddress;
  flags: number;
}

export interface FindValueReply {
  /** Contacts close to the key, when the reply carries no values. */
  contacts: VuzeAddress[];
  values: VuzeValue[];
}

/** The body of a find-value reply (after the header), or a reason it cannot be read. */
export function readFindValueReply(
  b: Uint8Array,
  p: number,
  version: number,
): FindValueReply | string {
  const reply: FindValueReply = { contacts: [], values: [] };
  if (version >= PV_DIV_AND_CONT) p += 1; // has_continuation
  if (p >= b.length) return 'truncated';
  const hasValues = b[p++] !== 0;
  if (!hasValues) {
    p = readContacts(b, p, reply.contacts);
    if (p < 0) return 'bad-contact';
    if (version >= PV_VIVALDI_FINDVALUE && skipCoordinates(b, p, version) < 0) {
      return 'bad-coordinates';
    }
    return reply;
  }
  if (version >= PV_DIV_AND_CONT) p += 1; // diversification type
  if (p + 2 > b.length) return 'truncated';
  let count = u16(b, p);
  p += 2;
  while (count-- > 0) {
    if (version >= PV_REMOVE_DIST_ADD_VER) p += 4; // value version
    p += 8; // created
    if (p + 2 > b.length) return 'truncated';
    const size = u16(b, p);
    p += 2;
    if (p + size > b.length) return 'truncated';
    const bytes = b.subarray(p, p + size);
    p += size;
    const originator = readVuzeContact(b, p);
    if (originator === undefined) return 'bad-contact';
    p = originator.end;
    if (p >= b.length) return 'truncated';
    const flags = b[p++]!;
    if (version >= PV_LONGER_LIFE) p += 1;
    if (version >= PV_REPLICATION_CONTROL) p += 1;
    if (p > b.length) return 'truncated';
    reply.values.push({ bytes, originator, flags });
  }
  return reply;
}

// The `v` field of KRPC messages: who sent the message, and which version.
//
// BEP 5 asks for 2 client letters (the BEP 20 peer-id codes) followed by 2
// version bytes, and says nothing about how to read those bytes. libtorrent's
// docs (dht_extensions) call them "a binary number"; in practice each client
// packs them its own way, some send more than 4 bytes, and many send no `v`
// at all. This module never throws: the field comes off the network.

/** What could be read from a `v` field. Only `raw`, `hex` and `printable` are always present. */
import { toHex } from '../hex.ts';

export interface ClientVersion {
  /** The field itself, the caller's view, not a copy. */
  raw: Uint8Array;
  /** Lower-case hexadecimal of `raw`. */
  hex: string;
  /** The 2 client letters, when both are printable ASCII. */
  code?: string;
  /** The client's name, when `code` is one we know. */
  client?: string;
  /** The version, when we know how this client encodes it and the field has the right shape. */
  version?: string;
  /** `raw` for humans: printable ASCII kept, other bytes as `\xNN`, backslash as `\\`. */
  printable: string;
}

/**
 * How a client packs its version after the 2 letters:
 * - `uint16`: 2 bytes, one big-endian number (printed in decimal);
 * - `libtorrent`, `libtorrent-rakshasa`: see the functions below;
 * - `ascii`: printable characters, kept as they are;
 * - `opaque`: no published reading; the version is left out.
 */
type VersionScheme = 'uint16' | 'libtorrent' | 'libtorrent-rakshasa' | 'ascii' | 'opaque';

interface KnownClient {
  readonly name: string;
  readonly scheme: VersionScheme;
}

/**
 * Clients by `v` code. Where a scheme is not `opaque`, the comment names the
 * source that shows how the client fills `v`. `opaque` entries are BEP 20
 * peer-id codes: a client's name is still worth showing if one turns up in `v`.
 */
const KNOWN_CLIENTS: ReadonlyMap<string, KnownClient> = new Map<string, KnownClient>([
  // arvidn/libtorrent, dht_tracker.cpp `send_packet`. Every libtorrent-based
  // client sends this, not its own code: qBittorrent, Deluge, FrostWire
  // (jlibtorrent), Halite, Tribler and many more.
  ['LT', { name: 'libtorrent (Rasterbar)', scheme: 'libtorrent' }],
  // rakshasa/libtorrent, configure.ac PEER_VERSION; the library of rTorrent.
  ['lt', { name: 'libTorrent (rakshasa)', scheme: 'libtorrent-rakshasa' }],
  // the8472/mldht, DHTConstants.setVersion: "ml" + big-endian number (11 for
  // 0.1.1). mldht is also the Mainline DHT plugin of Vuze and BiglyBT.
  ['ml', { name: 'mldht', scheme: 'uint16' }],
  // Transmission 1.7x-2.1x, tr-dht.c: "TR" + big-endian SVN revision. Removed
  // in 2010 (trac #3687); later versions send no `v`.
  ['TR', { name: 'Transmission', scheme: 'uint16' }],
  // MonoTorrent, GitInfoHelper.cs: "MO" + ASCII digits, "06" in old releases,
  // "ABCC" (major, minor, two-digit build) since 1.0, so 6 bytes in all.
  ['MO', { name: 'MonoTorrent', scheme: 'ascii' }],
  // dhtscope's own sensor: "DS" + big-endian number (src/sensor/antenna.ts, ANTENNA_VERSION).
  ['DS', { name: 'dhtscope', scheme: 'uint16' }],
  // µTorrent and BitTorrent are closed source. libtorrent's dht_extensions
  // lists UT and reads the 2 bytes as one binary number, as does BitTorrent's
  // own bootstrap-dht (`--version CC-N`); what the number counts is unverified.
  ['UT', { name: 'µTorrent', scheme: 'uint16' }],
  ['UM', { name: 'µTorrent Mac', scheme: 'uint16' }],
  ['UW', { name: 'µTorrent Web', scheme: 'uint16' }],
  ['BT', { name: 'BitTorrent (mainline)', scheme: 'uint16' }],
  // Listed in libtorrent's dht_extensions as senders of `v`.
  ['MP', { name: 'MooPolice', scheme: 'uint16' }],
  ['GR', { name: 'GetRight', scheme: 'uint16' }],
  // Peer-id codes (BEP 20 unless noted) of clients whose `v` we could not check.
  ['AZ', { name: 'Vuze (Azureus)', scheme: 'opaque' }], // its Mainline DHT is mldht: "ml"
  ['BI', { name: 'BiglyBT', scheme: 'opaque' }], // likewise "ml"
  ['BC', { name: 'BitComet', scheme: 'opaque' }],
  ['XL', { name: 'Xunlei (Thunder)', scheme: 'opaque' }],
  ['SD', { name: 'Xunlei (Thunder)', scheme: 'opaque' }], // libtorrent identify_client
  ['KT', { name: 'KTorrent', scheme: 'opaque' }], // libktorrent's DHT sends no `v`
  ['WW', { name: 'WebTorrent', scheme: 'opaque' }], // bittorrent-dht sends no `v`
  ['WD', { name: 'WebTorrent Desktop', scheme: 'opaque' }],
  ['qB', { name: 'qBittorrent', scheme: 'opaque' }], // its DHT is libtorrent's: "LT"
  ['DE', { name: 'Deluge', scheme: 'opaque' }], // likewise "LT"
  ['FW', { name: 'FrostWire', scheme: 'opaque' }], // likewise "LT"
  ['HL', { name: 'Halite', scheme: 'opaque' }], // likewise "LT"
  ['TX', { name: 'Tixati', scheme: 'opaque' }], // guess: its peer ids start "TIX"
  ['FG', { name: 'FlashGet', scheme: 'opaque' }],
  ['SP', { name: 'BitSpirit', scheme: 'opaque' }], // peer id "-SP", libtorrent identify_client
  ['BS', { name: 'BTSlave', scheme: 'opaque' }], // BEP 20; BitSpirit ids carry "BS" at offset 2
  ['SZ', { name: 'Shareaza', scheme: 'opaque' }],
  ['S~', { name: 'Shareaza (beta)', scheme: 'opaque' }],
  ['TL', { name: 'Tribler', scheme: 'opaque' }], // libtorrent identify_client
  ['LW', { name: 'LimeWire', scheme: 'opaque' }],
  ['QD', { name: 'QQDownload', scheme: 'opaque' }],
]);

/** Decodes a `v` field. Total: any bytes at all give a value, never an exception. */
export function decodeClientVersion(v: Uint8Array): ClientVersion {
  const decoded: ClientVersion = { raw: v, hex: toHex(v), printable: toPrintable(v) };
  if (v.length < 2 || !isPrintable(v[0]!) || !isPrintable(v[1]!)) return decoded;
  const code = String.fromCharCode(v[0]!, v[1]!);
  decoded.code = code;
  const known = KNOWN_CLIENTS.get(code);
  if (known === undefined) return decoded;
  decoded.client = known.name;
  const version = readVersion(known.scheme, v.subarray(2));
  if (version !== undefined) decoded.version = version;
  return decoded;
}

/**
 * The client as people read it, "name version" (the version left out when
 * unknown): named by `name`, the decoded client's name unless given.
 * Undefined when there is no name.
 */
export function clientLabel(decoded: ClientVersion, name = decoded.client): string | undefined {
  return name === undefined ? undefined : `${name} ${decoded.version ?? ''}`.trim();
}

function readVersion(scheme: VersionScheme, bytes: Uint8Array): string | undefined {
  if (scheme === 'opaque') return undefined;
  if (scheme === 'ascii') {
    return bytes.length > 0 && bytes.every(isPrintable) ? String.fromCharCode(...bytes) : undefined;
  }
  if (bytes.length !== 2) return undefined;
  const high = bytes[0]!;
  const low = bytes[1]!;
  if (scheme === 'libtorrent') return libtorrentVersion(high, low);
  if (scheme === 'libtorrent-rakshasa') return rakshasaVersion(high, low);
  return String((high << 8) | low);
}

/**
 * libtorrent (Rasterbar) sends major, then minor alone up to 1.2.4, then
 * `minor << 4 | tiny` from 1.2.5 on (commit "include tiny version in DHT v
 * field", 2020). The two forms never collide in what releases sent: 0.x
 * used the old form only, 1.0 and 1.1 sent 0x00 and 0x01, 1.2.0-1.2.4 sent
 * 0x02, and 1.2.5 on send 0x25 and up. Later 1.2 releases clamp tiny to 15,
 * so 1.2.15 and everything after it read as 1.2.15.
 */
function libtorrentVersion(major: number, packed: number): string {
  const packsTiny = major >= 2 || (major === 1 && packed >= 0x20);
  return packsTiny ? `${major}.${packed >> 4}.${packed & 0x0f}` : `${major}.${packed}`;
}

/**
 * libTorrent (rakshasa) has only had 0.x releases and sends minor, then tiny:
 * shifted left 4 bits up to 0.13.x (0.12.7 is 0x0c 0x70), as is from 0.14.0
 * (0.16.20 is 0x10 0x14).
 */
function rakshasaVersion(minor: number, tinyByte: number): string {
  const tiny = minor <= 13 ? tinyByte >> 4 : tinyByte;
  return `0.${minor}.${tiny}`;
}

function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}

function toPrintable(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x5c) text += '\\\\';
    else if (isPrintable(byte)) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
}

/**
 * Bootstrap endpoints: `host:port` and `[v6]:port` parsed as data, and the
 * public routers used when the user names none.
 */
import { isIP } from 'node:net';
import type { Destination } from '../dht/transport.ts';
import { parseIp } from '../protocol/net/ip.ts';

/** Public DHT routers; contacted only when no bootstrap is given. */
export const PUBLIC_BOOTSTRAP: readonly string[] = [
  'router.bittorrent.com:6881',
  'router.utorrent.com:6881',
  'dht.transmissionbt.com:6881',
  'dht.libtorrent.org:25401',
];

export type ParsedEndpoint = { ok: true; endpoint: Destination } | { ok: false; reason: string };

export function parseEndpoint(text: string): ParsedEndpoint {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null)
    return { ok: false, reason: `"${text}" is not host:port (e.g. 127.42.0.1:6881 or [::1]:6881)` };
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535)
    return { ok: false, reason: `port ${port} of "${text}" is out of range` };
  if (match[1] !== undefined && isIP(host) !== 6)
    return { ok: false, reason: `"${host}" in brackets is not an IPv6 address` };
  return { ok: true, endpoint: { address: host, port } };
}

/** 4 or 6 for an IP address, undefined for a host name (resolved when sent to). */
export function familyOfHost(host: string): 4 | 6 | undefined {
  const version = isIP(host);
  return version === 4 ? 4 : version === 6 ? 6 : undefined;
}

/** Where an address lives; a walk stays in the scopes its bootstrap nodes are in. */
export type AddressScope = 'loopback' | 'local' | 'global' | 'unusable';

/**
 * Loopback (127/8, ::1), local (private, link-local, unique-local: BEP 42's
 * exempt blocks), global, or unusable (unspecified, multicast, broadcast,
 * 0/8, class E — a datagram there goes nowhere, or somewhere it must not).
 * A host name is global.
 */
export function addressScope(address: string): AddressScope {
  const ip = parseIp(address);
  if (ip === null) return isIP(address) === 0 && address.length > 0 ? 'global' : 'unusable';
  if (ip.length === 4) {
    const [a, b] = [ip[0]!, ip[1]!];
    if (a === 127) return 'loopback';
    if (a === 0 || a >= 224) return 'unusable';
    if (
      a === 10 ||
      (a === 172 && (b & 0xf0) === 16) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    )
      return 'local';
    return 'global';
  }
  const mapped = ip.subarray(0, 10).every((x) => x === 0) && ip[10] === 0xff && ip[11] === 0xff;
  if (mapped) return addressScope(`${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`);
  if (ip.subarray(0, 15).every((x) => x === 0)) return ip[15] === 1 ? 'loopback' : 'unusable';
  if (ip[0] === 0xff) return 'unusable';
  if ((ip[0]! & 0xfe) === 0xfc || (ip[0] === 0xfe && (ip[1]! & 0x80) === 0x80)) return 'local';
  return 'global';
}

/** The scopes a walk from these bootstrap nodes may enter: theirs (a lab on loopback stays there). */
export function scopesOf(bootstrap: readonly Destination[]): ReadonlySet<AddressScope> {
  const scopes = new Set<AddressScope>(bootstrap.map((b) => addressScope(b.address)));
  scopes.delete('unusable');
  return scopes;
}

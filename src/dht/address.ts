/** Addresses as the engine compares and keys them. */
import { formatIp, parseIp } from '../protocol/net/ip.ts';

export function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/**
 * The one text form of an IP address (RFC 5952 for IPv6), so "::0001" and
 * "::1" are the same remote; undefined when `address` is not an IP literal
 * (a host name, say).
 */
export function canonicalAddress(address: string): string | undefined {
  const bytes = parseIp(address);
  return bytes === null ? undefined : formatIp(bytes);
}

/** A map key for an address and port. */
export function endpointKey(address: string, port: number): string {
  return `${address}|${port}`;
}

/** An address and port as people write them: `1.2.3.4:6881`, `[::1]:6881`. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

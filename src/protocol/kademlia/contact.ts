// Contacts (known DHT nodes) and the BEP 5 rules that rate them good,
// questionable or bad.

import type { NodeId } from './node-id.ts';

/** Where a node can be reached: what a compact node info entry carries. */
export interface ContactInfo {
  readonly id: NodeId;
  /** IPv4 or IPv6 address in text form. */
  readonly address: string;
  /** UDP port, 1..65535. */
  readonly port: number;
}

/**
 * A node as the routing table knows it. Records are immutable: the table
 * replaces a record when it learns something, so a `Contact` handed out stays
 * a consistent snapshot. All times are caller-supplied milliseconds.
 */
export interface Contact extends ContactInfo {
  /** When the table first heard from this node. */
  readonly firstSeen: number;
  /** Last time it answered one of our queries; undefined if it never has. */
  readonly lastResponse: number | undefined;
  /** Last time it sent us a query; undefined if it never has. */
  readonly lastQuery: number | undefined;
  /** Our queries to it that went unanswered in a row (reset by a response). */
  readonly failures: number;
}

export type ContactState = 'good' | 'questionable' | 'bad';

/** The part of the routing-table options that decides a contact's state. */
export interface ContactStateOptions {
  readonly questionableAfterMs: number;
  readonly maxFailures: number;
}

export const CONTACT_STATE_DEFAULTS: ContactStateOptions = {
  // BEP 5: "After 15 minutes of inactivity, a node becomes questionable."
  questionableAfterMs: 15 * 60_000,
  // BEP 5: "Nodes become bad when they fail to respond to multiple queries in
  // a row", and a failed ping should be tried "once more before discarding".
  maxFailures: 2,
};

/**
 * BEP 5 state of a contact at time `now`:
 * - bad: `maxFailures` or more of our queries in a row went unanswered;
 * - good: it answered us within `questionableAfterMs`, or it has answered us
 *   at some point and queried us within `questionableAfterMs`;
 * - questionable: anything else.
 *
 * One refinement over the letter of BEP 5: a node whose latest query from us
 * went unanswered (0 < failures < maxFailures) is questionable, not good,
 * even if it answered recently. We no longer *know* it is good, and rating it
 * questionable makes it the one the table asks the caller to ping again —
 * BEP 5's "try once more before discarding".
 */
export function contactState(
  contact: Contact,
  now: number,
  options: ContactStateOptions = CONTACT_STATE_DEFAULTS,
): ContactState {
  if (contact.failures >= options.maxFailures) return 'bad';
  if (contact.failures > 0 || contact.lastResponse === undefined) return 'questionable';
  const window = options.questionableAfterMs;
  if (now - contact.lastResponse <= window) return 'good';
  if (contact.lastQuery !== undefined && now - contact.lastQuery <= window) return 'good';
  return 'questionable';
}

/** Whether the node has ever answered one of our queries (proved it is reachable). */
export function hasResponded(contact: Contact): boolean {
  return contact.lastResponse !== undefined;
}

/** The last time we heard anything from the node. */
export function lastSeen(contact: Contact): number {
  return Math.max(
    contact.firstSeen,
    contact.lastResponse ?? -Infinity,
    contact.lastQuery ?? -Infinity,
  );
}

/** Same address and port. */
export function sameEndpoint(a: ContactInfo, b: ContactInfo): boolean {
  return a.port === b.port && a.address === b.address;
}

/** Whether the id has the right length, the address is set and the port is in 1..65535. */
export function isValidContactInfo(info: ContactInfo, idBytes: number): boolean {
  return (
    info.id instanceof Uint8Array &&
    info.id.length === idBytes &&
    typeof info.address === 'string' &&
    info.address.length > 0 &&
    Number.isInteger(info.port) &&
    info.port >= 1 &&
    info.port <= 65_535
  );
}

/** A fresh record for a node heard from for the first time. */
export function newContact(info: ContactInfo, how: 'response' | 'query', now: number): Contact {
  return {
    // Copy the id: the caller's bytes are often a view into a received packet,
    // whose buffer we should neither retain nor see reused.
    id: new Uint8Array(info.id),
    address: info.address,
    port: info.port,
    firstSeen: now,
    lastResponse: how === 'response' ? now : undefined,
    lastQuery: how === 'query' ? now : undefined,
    failures: 0,
  };
}

/**
 * The record after another message from the node. Only a response resets the
 * failure count: a node that keeps querying us but never answers may well be
 * unable to receive (firewalled), which is exactly what the count measures.
 */
export function contactHeardFrom(
  contact: Contact,
  how: 'response' | 'query',
  now: number,
): Contact {
  return how === 'response'
    ? { ...contact, lastResponse: now, failures: 0 }
    : { ...contact, lastQuery: now };
}

/** The record after one of our queries to it timed out. */
export function contactFailed(contact: Contact): Contact {
  return { ...contact, failures: contact.failures + 1 };
}

// One k-bucket of the routing table: up to k contacts plus a bounded cache of
// replacement candidates. Internal to the kademlia module; the table decides
// which bucket a node belongs to and when buckets split.

import {
  type Contact,
  type ContactStateOptions,
  contactState,
  hasResponded,
  lastSeen,
} from './contact.ts';
import { type NodeId, nodeIdsEqual } from './node-id.ts';

export class Bucket {
  /** Live contacts, at most k. */
  contacts: Contact[] = [];
  /** Replacement candidates, at most replacementCacheSize. */
  replacements: Contact[] = [];
  /**
   * Last time a node was added or replaced here or a node here answered us
   * (BEP 5's "last changed"); undefined if never, so it is due a refresh.
   */
  lastChanged: number | undefined;

  constructor(lastChanged: number | undefined) {
    this.lastChanged = lastChanged;
  }

  indexOf(id: NodeId): number {
    return indexOfId(this.contacts, id);
  }

  replacementIndexOf(id: NodeId): number {
    return indexOfId(this.replacements, id);
  }

  /** Position of the least recently seen contact in `state`, or -1. */
  leastRecentlySeen(
    state: 'questionable' | 'bad',
    now: number,
    options: ContactStateOptions,
  ): number {
    let best = -1;
    let bestSeen = Infinity;
    for (let i = 0; i < this.contacts.length; i++) {
      const contact = this.contacts[i]!;
      if (contactState(contact, now, options) !== state) continue;
      const seen = lastSeen(contact);
      if (seen < bestSeen) {
        best = i;
        bestSeen = seen;
      }
    }
    return best;
  }

  /**
   * Position of the most recently seen replacement candidate that has (or
   * has not, per `responded`) ever answered us, or -1.
   */
  freshestReplacement(responded: boolean): number {
    let best = -1;
    let bestSeen = -Infinity;
    for (let i = 0; i < this.replacements.length; i++) {
      const candidate = this.replacements[i]!;
      if (hasResponded(candidate) !== responded) continue;
      const seen = lastSeen(candidate);
      if (seen > bestSeen) {
        best = i;
        bestSeen = seen;
      }
    }
    return best;
  }

  /**
   * Puts `candidate` in the replacement cache, making room if needed by
   * dropping the least valuable entry: one that never answered us before one
   * that did, then the least recently seen. A candidate no more valuable than
   * every entry is refused (returns false) — so a flood of nodes that merely
   * query us cannot flush out candidates known to be reachable.
   */
  addReplacement(candidate: Contact, capacity: number): boolean {
    if (this.replacements.length < capacity) {
      this.replacements.push(candidate);
      return true;
    }
    let worst = -1;
    for (let i = 0; i < this.replacements.length; i++) {
      const entry = this.replacements[i]!;
      if (worst === -1 || lessValuable(entry, this.replacements[worst]!)) worst = i;
    }
    if (worst === -1 || !lessValuable(this.replacements[worst]!, candidate)) return false;
    this.replacements[worst] = candidate;
    return true;
  }
}

function lessValuable(a: Contact, b: Contact): boolean {
  const aResponded = hasResponded(a);
  if (aResponded !== hasResponded(b)) return !aResponded;
  return lastSeen(a) < lastSeen(b);
}

function indexOfId(contacts: readonly Contact[], id: NodeId): number {
  for (let i = 0; i < contacts.length; i++) {
    if (nodeIdsEqual(contacts[i]!.id, id)) return i;
  }
  return -1;
}

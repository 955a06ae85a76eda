// The BEP 5 routing table, laid out the libtorrent way: bucket i holds the
// contacts whose id shares exactly i leading bits with our own id, and the
// last bucket holds every contact sharing at least its index. Only the last
// bucket — the one whose range contains our own id — ever splits, so the
// table is a list of at most 160 buckets rather than a tree.
//
// The table is pure bookkeeping: it sends nothing. When it wants a node
// pinged it says so in a result, and the caller reports back through
// `heardFrom` (the node answered) or `failed` (the query timed out).

import { Bucket } from './bucket.ts';
import { closestInBuckets } from './closest.ts';
import {
  type Contact,
  type ContactInfo,
  type ContactState,
  contactFailed,
  contactHeardFrom,
  contactState,
  hasResponded,
  isValidContactInfo,
  newContact,
  sameEndpoint,
} from './contact.ts';
import {
  commonPrefixLength,
  isNodeId,
  NODE_ID_BITS,
  NODE_ID_BYTES,
  type NodeId,
  nodeIdsEqual,
  type RandomBytes,
  randomIdInPrefix,
  randomIdWithPrefix,
} from './node-id.ts';
import {
  type RoutingTableConfig,
  type RoutingTableOptions,
  resolveConfig,
} from './routing-table-config.ts';
import type { BucketSnapshot, FailedResult, HeardFromResult } from './routing-table-results.ts';

export class RoutingTable {
  readonly config: RoutingTableConfig;
  readonly #self: NodeId;
  readonly #buckets: Bucket[] = [new Bucket(undefined)];

  constructor(selfId: NodeId, options: RoutingTableOptions = {}) {
    if (!isNodeId(selfId)) throw new TypeError(`selfId must be a ${NODE_ID_BYTES}-byte Uint8Array`);
    this.#self = new Uint8Array(selfId);
    this.config = resolveConfig(options);
  }

  /** Our own id (a private copy: do not mutate). */
  get selfId(): NodeId {
    return this.#self;
  }

  /** Contacts in buckets; replacement candidates are not counted. */
  get size(): number {
    let size = 0;
    for (const bucket of this.#buckets) size += bucket.contacts.length;
    return size;
  }

  get bucketCount(): number {
    return this.#buckets.length;
  }

  /** BEP 5 state of `contact` under this table's options. */
  state(contact: Contact, now: number): ContactState {
    return contactState(contact, now, this.config);
  }

  /**
   * Records a message from a node: `response` when it answered one of our
   * queries, `query` when it sent us one.
   *
   * Only nodes that have answered us enter a bucket. A node that merely
   * queried us is kept as a replacement candidate, and the result asks the
   * caller to ping it if it could take a slot; when it answers it moves in.
   * BEP 5 wants the table to hold "only known good nodes", and many nodes
   * can send queries but cannot receive them (NAT, firewalls): admitting them
   * on a query would hand them out to other nodes as contacts that never
   * answer. libtorrent and mldht likewise verify such nodes before use.
   *
   * An id already known at another address or port is rejected and the
   * known record kept, unless that record has not earned its place (it went
   * bad, or it never answered us) and the newcomer has just answered. Anyone
   * can claim any id, so letting the latest claimant win would let an
   * attacker hijack a good node's slot and divert the lookups routed to it.
   */
  heardFrom(info: ContactInfo, how: 'response' | 'query', now: number): HeardFromResult {
    if (!isValidContactInfo(info, NODE_ID_BYTES)) {
      return { kind: 'rejected', reason: 'invalid-contact' };
    }
    if (nodeIdsEqual(info.id, this.#self)) return { kind: 'rejected', reason: 'own-id' };
    const bucket = this.#bucketFor(info.id);

    const at = bucket.indexOf(info.id);
    if (at !== -1) {
      const known = bucket.contacts[at]!;
      if (!sameEndpoint(known, info)) {
        if (!this.#mayTakeOver(known, how, now)) {
          return { kind: 'rejected', reason: 'id-at-other-endpoint' };
        }
        const contact = newContact(info, how, now);
        bucket.contacts[at] = contact;
        bucket.lastChanged = now;
        return { kind: 'replaced', contact, evicted: known };
      }
      const contact = contactHeardFrom(known, how, now);
      bucket.contacts[at] = contact;
      // BEP 5: a node in the bucket responding counts as a change; its
      // queries do not.
      if (how === 'response') bucket.lastChanged = now;
      return { kind: 'updated', contact };
    }

    const cachedAt = bucket.replacementIndexOf(info.id);
    if (cachedAt === -1) return this.#admit(newContact(info, how, now), now);
    const known = bucket.replacements[cachedAt]!;
    let candidate: Contact;
    if (sameEndpoint(known, info)) {
      candidate = contactHeardFrom(known, how, now);
    } else if (this.#mayTakeOver(known, how, now)) {
      candidate = newContact(info, how, now);
    } else {
      return { kind: 'rejected', reason: 'id-at-other-endpoint' };
    }
    bucket.replacements.splice(cachedAt, 1);
    return this.#admit(candidate, now);
  }

  /**
   * One of our queries to `id` timed out. When that makes a bucket node bad,
   * the most recently seen cached candidate that has answered us takes its
   * slot; with no such candidate the bad node stays until a newcomer that
   * answers replaces it (BEP 5: bad nodes are replaced, not just dropped).
   */
  failed(id: NodeId, now: number): FailedResult {
    if (!isNodeId(id)) return { kind: 'unknown' };
    const bucket = this.#bucketFor(id);

    const at = bucket.indexOf(id);
    if (at !== -1) {
      const contact = contactFailed(bucket.contacts[at]!);
      bucket.contacts[at] = contact;
      if (this.state(contact, now) !== 'bad') return { kind: 'counted', contact };
      const reachable = bucket.freshestReplacement(true);
      if (reachable !== -1) {
        const promoted = bucket.replacements.splice(reachable, 1)[0]!;
        bucket.contacts[at] = promoted;
        bucket.lastChanged = now;
        return { kind: 'promoted', evicted: contact, promoted };
      }
      const unverified = bucket.freshestReplacement(false);
      const ping = bucket.replacements[unverified];
      return ping === undefined ? { kind: 'bad', contact } : { kind: 'bad', contact, ping };
    }

    const cachedAt = bucket.replacementIndexOf(id);
    if (cachedAt === -1) return { kind: 'unknown' };
    const contact = contactFailed(bucket.replacements[cachedAt]!);
    if (this.state(contact, now) === 'bad') {
      bucket.replacements.splice(cachedAt, 1);
      return { kind: 'dropped', contact };
    }
    bucket.replacements[cachedAt] = contact;
    return { kind: 'counted', contact };
  }

  /**
   * Forgets a node, whether in a bucket or among the candidates, and returns
   * its record. The slot it leaves is filled by the next node that answers.
   */
  remove(id: NodeId): Contact | undefined {
    if (!isNodeId(id)) return undefined;
    const bucket = this.#bucketFor(id);
    const at = bucket.indexOf(id);
    if (at !== -1) return bucket.contacts.splice(at, 1)[0];
    const cachedAt = bucket.replacementIndexOf(id);
    if (cachedAt !== -1) return bucket.replacements.splice(cachedAt, 1)[0];
    return undefined;
  }

  /** The contact with this id if it is in a bucket (candidates are not looked at). */
  get(id: NodeId): Contact | undefined {
    if (!isNodeId(id)) return undefined;
    const bucket = this.#bucketFor(id);
    return bucket.contacts[bucket.indexOf(id)];
  }

  /** Every contact in a bucket, bucket by bucket. */
  *contacts(): IterableIterator<Contact> {
    for (const bucket of this.#buckets) yield* bucket.contacts;
  }

  buckets(): BucketSnapshot[] {
    const last = this.#buckets.length - 1;
    return this.#buckets.map((bucket, index) => ({
      index,
      prefixBits: index === last ? index : index + 1,
      contacts: bucket.contacts.slice(),
      replacements: bucket.replacements.slice(),
      cacheSize: bucket.replacements.length,
      lastChanged: bucket.lastChanged,
    }));
  }

  /**
   * The `count` contacts closest to `target` by XOR distance, closest first,
   * among those `filter` accepts (e.g. `(c) => table.state(c, now) !== 'bad'`).
   * Visits only as many buckets as it needs; see closest.ts.
   */
  closest(
    target: NodeId,
    count: number = this.config.k,
    filter?: (c: Contact) => boolean,
  ): Contact[] {
    if (!isNodeId(target)) throw new TypeError(`target must be a ${NODE_ID_BYTES}-byte Uint8Array`);
    return closestInBuckets(this.#buckets, this.#self, target, count, filter);
  }

  /** Indices of the buckets not changed for more than `maxAgeMs` (or never). */
  bucketsNeedingRefresh(now: number, maxAgeMs: number = this.config.refreshAfterMs): number[] {
    const stale: number[] = [];
    for (let i = 0; i < this.#buckets.length; i++) {
      const changed = this.#buckets[i]!.lastChanged;
      if (changed === undefined || now - changed > maxAgeMs) stale.push(i);
    }
    return stale;
  }

  /** A random id in the range of bucket `index`: what to look up to refresh it (BEP 5). */
  refreshTarget(index: number, rng: RandomBytes): NodeId {
    const last = this.#buckets.length - 1;
    if (!Number.isInteger(index) || index < 0 || index > last) {
      throw new RangeError(`no bucket ${index}: the table has ${last + 1}`);
    }
    // The last bucket covers every id under our first `index` bits,
    // including the ones sharing more; the others share exactly `index`.
    return index === last
      ? randomIdInPrefix(this.#self, index, rng)
      : randomIdWithPrefix(this.#self, index, rng);
  }

  #bucketIndexFor(id: NodeId): number {
    return Math.min(commonPrefixLength(id, this.#self), this.#buckets.length - 1);
  }

  #bucketFor(id: NodeId): Bucket {
    return this.#buckets[this.#bucketIndexFor(id)]!;
  }

  /** Only the last bucket, which holds our own id's neighbourhood, splits. */
  #canSplit(index: number): boolean {
    return index === this.#buckets.length - 1 && this.#buckets.length < NODE_ID_BITS;
  }

  /** Whether a claimant at a new endpoint may take over `known`'s id. */
  #mayTakeOver(known: Contact, how: 'response' | 'query', now: number): boolean {
    return how === 'response' && (!hasResponded(known) || this.state(known, now) === 'bad');
  }

  /** Places a node not yet in a bucket: in a bucket if it may, else in the cache. */
  #admit(candidate: Contact, now: number): HeardFromResult {
    for (;;) {
      const index = this.#bucketIndexFor(candidate.id);
      const bucket = this.#buckets[index]!;
      if (!hasResponded(candidate)) return this.#cache(index, bucket, candidate, now);
      if (bucket.contacts.length < this.config.k) {
        bucket.contacts.push(candidate);
        bucket.lastChanged = now;
        return { kind: 'inserted', contact: candidate };
      }
      // BEP 5: "If any nodes in the bucket are known to have become bad,
      // then one is replaced by the new node."
      const bad = bucket.leastRecentlySeen('bad', now, this.config);
      if (bad !== -1) {
        const evicted = bucket.contacts[bad]!;
        bucket.contacts[bad] = candidate;
        bucket.lastChanged = now;
        return { kind: 'replaced', contact: candidate, evicted };
      }
      // BEP 5: a full bucket whose range holds our own id splits in two.
      if (!this.#canSplit(index)) return this.#cache(index, bucket, candidate, now);
      this.#split();
    }
  }

  #cache(index: number, bucket: Bucket, candidate: Contact, now: number): HeardFromResult {
    if (!bucket.addReplacement(candidate, this.config.replacementCacheSize)) {
      return { kind: 'rejected', reason: 'replacement-cache-full' };
    }
    const ping = this.#pingToMakeProgress(index, bucket, candidate, now);
    return ping === undefined
      ? { kind: 'cached', contact: candidate }
      : { kind: 'cached', contact: candidate, ping };
  }

  #pingToMakeProgress(
    index: number,
    bucket: Bucket,
    candidate: Contact,
    now: number,
  ): Contact | undefined {
    // A newcomer that could take a slot right away only has to answer.
    if (
      !hasResponded(candidate) &&
      (bucket.contacts.length < this.config.k ||
        bucket.leastRecentlySeen('bad', now, this.config) !== -1 ||
        this.#canSplit(index))
    ) {
      return candidate;
    }
    // BEP 5: "If there are any questionable nodes in the bucket [...], the
    // least recently seen node is pinged."
    return bucket.contacts[bucket.leastRecentlySeen('questionable', now, this.config)];
  }

  /**
   * Splits the last bucket: contacts sharing exactly its index with us stay,
   * the deeper ones move to a new last bucket. The new bucket inherits the
   * old `lastChanged`, so an empty half gets refreshed as soon as the old one
   * would have been. The caches need no draining into the room a split may
   * make: the last bucket only ever caches nodes that have not answered yet,
   * since one that has answered splits it instead of being cached.
   */
  #split(): void {
    const index = this.#buckets.length - 1;
    const old = this.#buckets[index]!;
    const deeper = new Bucket(old.lastChanged);
    const staysInOld = (c: Contact) => commonPrefixLength(c.id, this.#self) === index;
    deeper.contacts = old.contacts.filter((c) => !staysInOld(c));
    old.contacts = old.contacts.filter(staysInOld);
    deeper.replacements = old.replacements.filter((c) => !staysInOld(c));
    old.replacements = old.replacements.filter(staysInOld);
    this.#buckets.push(deeper);
  }
}

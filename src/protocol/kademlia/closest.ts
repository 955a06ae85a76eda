// Exact k-closest search over the routing table's buckets, without sorting
// the whole table.
//
// Why the buckets can be visited in a fixed order. Let s be our id, t the
// target, x = s XOR t, and L the index of the last bucket. A contact c in
// bucket j < L agrees with s on bits 0..j-1 and differs from it at bit j, so
// c XOR t = (c XOR s) XOR x equals x on bits 0..j-1 and has NOT x_j at bit j.
// A contact in the last bucket agrees with s on bits 0..L-1, so its distance
// to t equals x on bits 0..L-1.
//
// Take two buckets j < j' (j' possibly L). Their contacts' distances agree
// on bits 0..j-1 (all equal x there); at bit j, bucket j has NOT x_j and
// bucket j' has x_j. So:
//   - if x_j = 1 (t differs from s at bit j), every contact of bucket j is
//     strictly closer to t than every contact of every deeper bucket;
//   - if x_j = 0, every contact of bucket j is strictly farther.
// Hence this order visits the buckets from closest to farthest, each bucket
// as a whole being closer than all the ones after it:
//   1. buckets j < L with x_j = 1, in increasing j
//      (the first of them is j = commonPrefixLength(s, t), the bucket t
//      itself would fall in);
//   2. the last bucket;
//   3. buckets j < L with x_j = 0, in decreasing j
//      (these include every bucket j below commonPrefixLength(s, t), which
//      get strictly farther as j decreases).
// Gathering whole buckets in that order until `count` contacts are in hand
// and sorting only those is exact: everything not gathered is farther than
// everything gathered. At most count + k - 1 contacts get sorted.

import type { Bucket } from './bucket.ts';
import type { Contact } from './contact.ts';
import { bitAt, commonPrefixLength, compareDistance, type NodeId } from './node-id.ts';

export function closestInBuckets(
  buckets: readonly Bucket[],
  self: NodeId,
  target: NodeId,
  count: number,
  filter: ((contact: Contact) => boolean) | undefined,
): Contact[] {
  const wanted = Math.floor(count);
  const found: Contact[] = [];
  if (!(wanted > 0)) return found;
  const last = buckets.length - 1;

  const gather = (index: number): boolean => {
    for (const contact of buckets[index]!.contacts) {
      if (filter === undefined || filter(contact)) found.push(contact);
    }
    return found.length >= wanted;
  };

  // Bits below commonPrefixLength(s, t) all have x_j = 0, so step 1 starts there.
  let done = false;
  for (let j = commonPrefixLength(self, target); j < last && !done; j++) {
    if (bitAt(self, j) !== bitAt(target, j)) done = gather(j);
  }
  if (!done) done = gather(last);
  for (let j = last - 1; j >= 0 && !done; j--) {
    if (bitAt(self, j) === bitAt(target, j)) done = gather(j);
  }

  found.sort((a, b) => compareDistance(target, a.id, b.id));
  if (found.length > wanted) found.length = wanted;
  return found;
}

/**
 * Every actor's plan merged into one stream in time order, lazily: a trace
 * of millions of queries never holds more than one pending query per actor.
 */
import type { PlannedQuery } from './behavior.ts';
import type { LabActor } from './world.ts';

export interface TimelineEntry {
  actor: LabActor;
  query: PlannedQuery;
}

interface Head {
  actor: LabActor;
  query: PlannedQuery;
  rest: Iterator<PlannedQuery>;
}

export function* timeline(actors: readonly LabActor[]): Generator<TimelineEntry> {
  const heap: Head[] = [];
  for (const actor of actors) {
    const rest = actor.behavior.plan(actor.context, actor.params)[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) push(heap, { actor, query: first.value, rest });
  }
  while (heap.length > 0) {
    const head = heap[0]!;
    yield { actor: head.actor, query: head.query };
    const next = head.rest.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0);
      }
    } else {
      if (next.value.at < head.query.at) {
        throw new Error(
          `actor ${head.actor.name} planned ${next.value.at} after ${head.query.at}: plans must be in time order`,
        );
      }
      head.query = next.value;
      siftDown(heap, 0);
    }
  }
}

function push(heap: Head[], head: Head): void {
  heap.push(head);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]!.query.at <= heap[i]!.query.at) break;
    [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
    i = parent;
  }
}

function siftDown(heap: Head[], i: number): void {
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && heap[left]!.query.at < heap[smallest]!.query.at) smallest = left;
    if (right < heap.length && heap[right]!.query.at < heap[smallest]!.query.at) smallest = right;
    if (smallest === i) return;
    [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
    i = smallest;
  }
}

/**
 * What a crawl snapshot holds while it runs and when it is saved to resume:
 * plain data, JSON as it is, so `crawl` can stop (Ctrl-C, a crash) and go on
 * where it was with the same snapshot.
 */

/** A node the crawl heard of. */
export interface CrawlNode {
  address: string;
  port: number;
  family: 4 | 6;
  /** Hex id: the one it answered with, or the one it was introduced by until it answers. */
  id?: string;
  /** pending: not yet asked; done: answered and walked; failed: never answered. */
  status: 'pending' | 'done' | 'failed';
  /** Decoded `v` (client name and version), when it sent one. */
  client?: string;
  /** ms since the epoch. */
  firstSeen?: number;
  lastSeen?: number;
  /** BEP 51: what it last said, and when to ask again (ms since the epoch). */
  sample?: {
    num: number;
    interval: number;
    rounds: number;
    nextAt: number;
    supported: boolean;
    /** Distinct infohashes seen from it so far. */
    seen: number;
  };
}

export interface CrawlEdge {
  from: string;
  fromAddress: string;
  fromPort: number;
  to: string;
  toAddress: string;
  toPort: number;
}

export interface CrawlSample {
  infohash: string;
  address: string;
  port: number;
  /** ms since the epoch. */
  at: number;
}

/**
 * The snapshot in progress: its nodes, and how many edges and samples went
 * to the sink. Edges and samples are many (a node costs about 170 edges), so
 * they are streamed out as they come rather than held.
 */
export interface CrawlSnapshot {
  /** Start of the snapshot, ms since the epoch. */
  snapshot: number;
  nodes: Record<string, CrawlNode>;
  edges: number;
  samples: number;
}

/** Where a crawl puts its edges and samples. */
export interface CrawlSink {
  edge(edge: CrawlEdge): void;
  sample(sample: CrawlSample): void;
}

export function emptySnapshot(startMs: number): CrawlSnapshot {
  return { snapshot: startMs, nodes: {}, edges: 0, samples: 0 };
}

export interface CrawlCounts {
  known: number;
  done: number;
  failed: number;
  pending: number;
  edges: number;
  /** Samples recorded (an infohash per node that gave it). */
  samples: number;
}

export function countSnapshot(snapshot: CrawlSnapshot): CrawlCounts {
  const counts = {
    known: 0,
    done: 0,
    failed: 0,
    pending: 0,
    edges: snapshot.edges,
    samples: snapshot.samples,
  };
  for (const node of Object.values(snapshot.nodes)) {
    counts.known++;
    counts[node.status]++;
  }
  return counts;
}

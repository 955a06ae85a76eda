/**
 * `dhtscope watch`: what the sensor's identities hear, folded per infohash.
 * Every get_peers (a search) and announce_peer (an announce) that reaches
 * one of our identities counts towards its infohash, with who sent it; the
 * first time an infohash is heard is news.
 */
import { formatEndpoint } from '../dht/address.ts';
import type { EventRecord } from '../store/schema.ts';

export interface WatchedInfohash {
  infohash: string;
  searches: number;
  announces: number;
  /** Distinct sender addresses. */
  sources: number;
  /** ms since the epoch. */
  firstSeen: number;
  lastSeen: number;
  /** The last sender, ip:port, and its ASN when known. */
  lastSource: string;
  lastAsn?: number;
}

export interface WatchNews {
  kind: 'search' | 'announce';
  entry: WatchedInfohash;
}

/** Infohashes tracked at most; the least recently heard are forgotten first. */
export const WATCH_MAX_TRACKED = 100_000;

/** What is kept per infohash: its sources as a set, counted when shown. */
type Entry = Omit<WatchedInfohash, 'sources'> & { sourceSet: Set<string> };

export class InfohashWatch {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(max = WATCH_MAX_TRACKED) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Folds one event in; says whether its infohash is new, for get_peers and announce_peer only. */
  record(event: EventRecord): { news: boolean; update: WatchNews } | undefined {
    if (event.target === undefined) return undefined;
    if (event.kind !== 'get_peers' && event.kind !== 'announce_peer') return undefined;
    // An announce with a token we never issued is a forgery or a replay: not an announce.
    if (event.kind === 'announce_peer' && event.tokenValid === false) return undefined;
    const at = Math.floor(event.ts / 1000);
    const source = formatEndpoint(event.remoteIp, event.remotePort);
    let entry = this.#entries.get(event.target);
    const news = entry === undefined;
    if (entry === undefined) {
      entry = {
        infohash: event.target,
        searches: 0,
        announces: 0,
        firstSeen: at,
        lastSeen: at,
        lastSource: source,
        sourceSet: new Set(),
      };
      if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    } else {
      this.#entries.delete(event.target);
    }
    this.#entries.set(event.target, entry);
    if (event.kind === 'get_peers') entry.searches++;
    else entry.announces++;
    entry.sourceSet.add(event.remoteIp);
    entry.lastSeen = at;
    entry.lastSource = source;
    if (event.asn === undefined) delete entry.lastAsn;
    else entry.lastAsn = event.asn;
    return {
      news,
      update: {
        kind: event.kind === 'get_peers' ? 'search' : 'announce',
        entry: publicView(entry),
      },
    };
  }

  /** The busiest infohashes: most sources, then most queries. */
  top(count: number): WatchedInfohash[] {
    return [...this.#entries.values()]
      .sort(
        (a, b) =>
          b.sourceSet.size - a.sourceSet.size ||
          b.searches + b.announces - (a.searches + a.announces) ||
          b.lastSeen - a.lastSeen,
      )
      .slice(0, count)
      .map(publicView);
  }
}

function publicView(entry: Entry): WatchedInfohash {
  const { infohash, searches, announces, sourceSet, ...rest } = entry;
  return { infohash, searches, announces, sources: sourceSet.size, ...rest };
}

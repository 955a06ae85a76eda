/**
 * How hard each source leans on a lab node: the most datagrams one source
 * address sent it within any one second, measured where they arrive. This is
 * how the lab checks an active tool's politeness the way a remote node would
 * see it (libtorrent bans an address that sends it more than about 5 packets
 * a second).
 */

/** The sliding window: one second. */
const WINDOW_MS = 1_000;

interface SourceRecord {
  /** Arrival times still inside the window, oldest first. */
  readonly recent: number[];
  total: number;
  peak: number;
}

export class InboundMeter {
  readonly #sources = new Map<string, SourceRecord>();

  /** One datagram from `source` (an IP address) at `atMs`. */
  record(source: string, atMs: number): void {
    let record = this.#sources.get(source);
    if (record === undefined) {
      record = { recent: [], total: 0, peak: 0 };
      this.#sources.set(source, record);
    }
    const { recent } = record;
    // The window is half-open, (at − 1 s, at]: packets exactly a second apart are in different seconds.
    while (recent.length > 0 && recent[0]! <= atMs - WINDOW_MS) recent.shift();
    recent.push(atMs);
    record.total++;
    if (recent.length > record.peak) record.peak = recent.length;
  }

  /** The most datagrams `source` sent within one second; 0 if it sent none. */
  peakPerSecond(source: string): number {
    return this.#sources.get(source)?.peak ?? 0;
  }

  /** Datagrams from `source` in all. */
  total(source: string): number {
    return this.#sources.get(source)?.total ?? 0;
  }
}

/**
 * The `v` fields ordinary BitTorrent clients send, in rough proportion to
 * what a sensor on the real DHT sees: libtorrent (qBittorrent, Deluge …)
 * first, µTorrent, rTorrent's libTorrent, mldht (Vuze, BiglyBT), and a share
 * of clients that send none (Transmission since 2.2, WebTorrent).
 */
import type { Rng } from '../rng.ts';

const ascii = (code: string, ...bytes: number[]) =>
  Uint8Array.of(code.charCodeAt(0), code.charCodeAt(1), ...bytes);

const MIX: readonly { weight: number; v: Uint8Array | undefined }[] = [
  { weight: 25, v: ascii('LT', 0x02, 0x0a) }, // libtorrent 2.0.10
  { weight: 15, v: ascii('LT', 0x01, 0x2f) }, // libtorrent 1.2.15+
  { weight: 25, v: ascii('UT', 0x89, 0x5c) }, // µTorrent
  { weight: 8, v: ascii('lt', 0x10, 0x06) }, // rakshasa libTorrent 0.16.6 (rTorrent)
  { weight: 7, v: ascii('ml', 0x00, 0x0b) }, // mldht 0.1.1 (Vuze, BiglyBT)
  { weight: 20, v: undefined },
];
const TOTAL = MIX.reduce((sum, entry) => sum + entry.weight, 0);

/** One client's `v` (drawn once per node id: a client does not change version mid-run). */
export function clientVersion(rng: Rng): Uint8Array | undefined {
  let roll = rng.next() * TOTAL;
  for (const entry of MIX) {
    roll -= entry.weight;
    if (roll < 0) return entry.v;
  }
  return undefined;
}

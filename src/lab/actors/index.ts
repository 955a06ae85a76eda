/** Every behavior a scenario can name, and the lookup by name. */
import type { Behavior } from '../behavior.ts';
import { burstProber } from './burst-prober.ts';
import { distributedCampaign } from './distributed-campaign.ts';
import { flashCrowd } from './flash-crowd.ts';
import { normalClient } from './normal-client.ts';
import { periodicMonitor } from './periodic-monitor.ts';
import { prefixWalker } from './prefix-walker.ts';
import { sampleInfohashesCrawler } from './sample-infohashes-crawler.ts';
import { sequentialCrawler } from './sequential-crawler.ts';
import { swarm } from './swarm.ts';
import { sybilFleet } from './sybil-fleet.ts';
import { watchedTorrent } from './watched-torrent.ts';

export const BEHAVIORS: readonly Behavior<unknown>[] = [
  normalClient,
  swarm,
  sequentialCrawler,
  prefixWalker,
  sampleInfohashesCrawler,
  periodicMonitor,
  burstProber,
  distributedCampaign,
  sybilFleet,
  watchedTorrent,
  flashCrowd,
];

const BY_NAME = new Map(BEHAVIORS.map((behavior) => [behavior.name, behavior]));

export function behaviorNamed(name: string): Behavior<unknown> | undefined {
  return BY_NAME.get(name);
}

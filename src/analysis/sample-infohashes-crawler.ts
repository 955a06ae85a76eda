/**
 * BEP 51 crawlers: addresses whose queries are mostly sample_infohashes.
 * Nothing else in the lab (and few things on the real DHT) sends that
 * method, so the share alone is the signature; the threshold sits below the
 * spec's 80 % so that a crawler's occasional pings or find_nodes (and the
 * noise of a small sample) do not hide it.
 */
import { confidenceFrom, type Detection, percent } from './detection.ts';
import { kindCount, kindShare, type OperatorFeatures } from './operator-features.ts';

export const SAMPLE_INFOHASHES_DEFAULTS = {
  /** Share of the address's queries that are sample_infohashes. */
  minShare: 0.6,
  /** The sensor sees ~4 % of a fanout-1 crawler's queries; a handful is already a pattern. */
  minQueries: 3,
};

export type SampleInfohashesConfig = typeof SAMPLE_INFOHASHES_DEFAULTS;

export function detectSampleInfohashesCrawler(
  f: OperatorFeatures,
  config: SampleInfohashesConfig = SAMPLE_INFOHASHES_DEFAULTS,
): Detection | undefined {
  const n = kindCount(f, 'sample_infohashes');
  const share = kindShare(f, 'sample_infohashes');
  if (n < config.minQueries || share < config.minShare) return undefined;
  return {
    label: 'sample_infohashes_crawler',
    confidence: confidenceFrom(share, config.minShare, 1, n, 4 * config.minQueries),
    why: `${n} of ${f.analysed} queries (${percent(share)}) are sample_infohashes (BEP 51)`,
  };
}

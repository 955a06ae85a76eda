/** `dhtscope map`: crawled and observed DHT nodes on a world map, one HTML file. */
import type { Enricher } from '../../enrich/index.ts';
import type { StoreReader } from '../../store/reader.ts';
import { loadMapData, type MapSource } from './data.ts';
import { MAP_DEFAULTS } from './decay.ts';
import { type MapPageOptions, renderMapPage } from './page.ts';
import { dotsAt, encodePageData, type PageData } from './page-data.ts';

export { MAP_SOURCES, type MapSource } from './data.ts';
export { startMapServer } from './live-server.ts';
export type { PageData } from './page-data.ts';
export { dotsAt, MAP_DEFAULTS, type MapPageOptions, renderMapPage };

export interface MapBuildOptions {
  source: MapSource;
  enricher?: Enricher;
  live?: boolean;
}

/** The page's data as the store holds it now. */
export async function readPageData(
  reader: StoreReader,
  options: MapBuildOptions,
): Promise<PageData> {
  return encodePageData(
    await loadMapData(reader, {
      source: options.source,
      live: options.live === true,
      ...(options.enricher === undefined ? {} : { enricher: options.enricher }),
    }),
  );
}

/** Dots drawn at the end of playback, as the page will draw them. */
export function dotsAtEnd(page: PageData, options: MapPageOptions): number {
  return dotsAt(
    page,
    page.end,
    options.halfLifeMinutes * 60_000,
    options.cutoffHours * 3_600_000,
    MAP_DEFAULTS.minOpacity,
  );
}

/**
 * The map as one self-contained HTML file: the projected world, the data and
 * the script inline, nothing fetched when it is opened (a live map fetches
 * only `data.json` from the server that gave it the page).
 */
import { ORIGIN_CRAWL, ORIGIN_OBSERVED } from './data.ts';
import { MAP_DEFAULTS } from './decay.ts';
import { worldShapes } from './geometry.ts';
import type { PageData } from './page-data.ts';
import { pageScript } from './page-script.ts';

export interface MapPageOptions {
  halfLifeMinutes: number;
  cutoffHours: number;
  /** Serve-and-refresh mode: the page reloads `data.json` every `refreshSeconds`. */
  live: boolean;
  refreshSeconds: number;
}

/** ASNs named in the legend; the rest are summed in one line. */
const LEGEND_SIZE = 12;
/** Playback speed: one slider step per this many ms. */
const PLAY_STEP_MS = 400;

export function renderMapPage(data: PageData, options: MapPageOptions): string {
  const world = worldShapes();
  const config = {
    halfLifeMs: options.halfLifeMinutes * 60_000,
    cutoffMs: options.cutoffHours * 3_600_000,
    cutoffLabel: humanDuration(options.cutoffHours * 3_600_000),
    minOpacity: MAP_DEFAULTS.minOpacity,
    timeSteps: MAP_DEFAULTS.timeSteps,
    legendSize: LEGEND_SIZE,
    playMs: PLAY_STEP_MS,
    live: options.live,
    refreshMs: options.refreshSeconds * 1000,
  };
  // Named by what the map holds: `--source both` over a store with crawls only is a crawl map.
  const origins = data.nodes.reduce((bits, node) => bits | node[7], 0);
  const sourceName =
    origins === ORIGIN_CRAWL
      ? 'crawled'
      : origins === ORIGIN_OBSERVED
        ? 'observed'
        : { crawl: 'crawled', observed: 'observed', both: 'crawled and observed' }[data.source];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dhtscope map: ${sourceName} DHT nodes</title>
<style>
body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: #1d2330; background: #f4f5f7; }
header { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; padding: 8px 14px; background: #fff; border-bottom: 1px solid #d8dbe0; }
h1 { font-size: 15px; margin: 0; }
#slider { width: min(40vw, 420px); }
#when { font-variant-numeric: tabular-nums; min-width: 16em; }
.muted { color: #667085; }
main { display: flex; gap: 10px; padding: 10px; align-items: flex-start; }
svg { flex: 1; min-width: 0; height: auto; background: #fff; border: 1px solid #d8dbe0; }
.sphere { fill: #dce8f2; }
.land { fill: #f3f1ea; stroke: #b7b4aa; stroke-width: 0.35; }
#nodes circle { stroke: #1d2330; stroke-opacity: 0.35; stroke-width: 0.3; cursor: pointer; }
aside { width: 250px; }
aside ul { list-style: none; margin: 6px 0; padding: 0; }
aside li { margin: 2px 0; overflow-wrap: anywhere; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
#tip { position: fixed; pointer-events: none; background: #1d2330; color: #fff; padding: 6px 8px; border-radius: 4px; font-size: 12px; max-width: 360px; overflow-wrap: anywhere; }
</style>
</head>
<body>
<header>
<h1>DHT nodes, ${sourceName}</h1>
<label>view <select id="mode"><option value="snapshot">by crawl snapshot</option><option value="time">by time</option></select></label>
<input id="slider" type="range" min="0" max="0" value="0" aria-label="time">
<button id="play" type="button">▶ play</button>
<span id="when"></span>
<span id="shown"></span>
<span id="status" class="muted"></span>
</header>
<main>
<svg id="map" viewBox="0 0 ${world.width} ${world.height}" role="img" aria-label="world map of DHT nodes">
<path class="sphere" d="${world.outline}"/>
<path class="land" d="${world.countries}"/>
<g id="nodes"></g>
</svg>
<aside>
<strong>Colour: autonomous system</strong>
<ul id="legend"></ul>
<p id="totals" class="muted"></p>
<p class="muted">Opacity halves every ${humanDuration(options.halfLifeMinutes * 60_000)} since an address was last seen; addresses unseen for over ${humanDuration(options.cutoffHours * 3_600_000)} are not drawn. Addresses placed at one spot (a city) are spread a few pixels apart. Hover a dot for details.</p>
</aside>
</main>
<div id="tip" hidden></div>
<script type="application/json" id="map-config">${jsonForScript(config)}</script>
<script type="application/json" id="map-data">${jsonForScript(data)}</script>
<script>${pageScript()}</script>
</body>
</html>
`;
}

/** 3.3 s, 15 min, 6 h: a duration as the page names it. */
export function humanDuration(ms: number): string {
  const round = (v: number): string => String(Math.round(v * 10) / 10);
  if (ms < 60_000) return `${round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${round(ms / 60_000)} min`;
  return `${round(ms / 3_600_000)} h`;
}

/** JSON that cannot close its <script> element early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

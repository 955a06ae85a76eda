/**
 * The keyspace heatmap drawn from keyspace_heatmap rows (computed by the
 * keyspace step; nothing is detected here): a Unicode grid for the terminal
 * and SVG or PNG images for `--out`. Pure functions from rows to text or
 * bytes; the caller decides about colour and where the output goes.
 *
 * Layout, everywhere: the 65,536 16-bit prefixes in keyspace order, row by
 * row, so a row is a contiguous stretch of the keyspace labelled with its
 * first prefix, and a column an offset inside it. Intensity is on a log
 * scale (log(1 + events)): one popular torrent's cell holds thousands of
 * events where a quiet one holds a few, and a linear scale would show one
 * bright dot on black.
 */

import { createColors } from 'picocolors';
import { PNG } from 'pngjs';
import type { HeatmapRow, Zone } from '../analysis/keyspace/heatmap.ts';
import { withThousands } from './numbers.ts';
import { drawText, textWidth } from './pixel-font.ts';

export type { HeatmapRow } from '../analysis/keyspace/heatmap.ts';

import { CELLS } from '../analysis/keyspace/base.ts';
import type { StoreReader } from '../store/reader.ts';

/** One bin of a downsampled grid: `cells` adjacent prefixes starting at `first`. */
export interface HeatmapBin {
  first: number;
  cells: number;
  events: number;
  /**
   * hot when its hot cells hold more than half its events (a lone hot cell in
   * a busy bin would otherwise hide the bin's intensity), cold when at least
   * half its cells are cold.
   */
  zone: Zone;
}

export interface HeatmapGrid {
  columns: number;
  rows: number;
  /** Prefixes per bin. */
  cellsPerBin: number;
  /** Row-major, `rows × columns` bins. */
  bins: HeatmapBin[];
  maxEvents: number;
  totalEvents: number;
}

/**
 * Folds the 65,536 cells into `columns × rows` bins of equal width
 * (`columns × rows` must divide 65,536, i.e. be a power of two). Missing
 * cells count as empty.
 */
export function downsample(
  rows: readonly HeatmapRow[],
  columns: number,
  gridRows: number,
): HeatmapGrid {
  const count = columns * gridRows;
  if (!Number.isInteger(count) || count < 1 || count > CELLS || (count & (count - 1)) !== 0)
    throw new Error(`a ${columns}×${gridRows} grid does not divide the 65,536 prefixes evenly`);
  const per = CELLS / count;
  const events = new Float64Array(count);
  const hot = new Float64Array(count);
  const cold = new Uint32Array(count);
  for (const row of rows) {
    const p = Number(row.prefix16);
    if (!Number.isInteger(p) || p < 0 || p >= CELLS) continue;
    const i = Math.floor(p / per);
    events[i] = events[i]! + Number(row.events);
    if (row.zone === 'hot') hot[i] = hot[i]! + Number(row.events);
    else if (row.zone === 'cold') cold[i] = cold[i]! + 1;
  }
  const bins: HeatmapBin[] = [];
  let maxEvents = 0;
  let totalEvents = 0;
  for (let i = 0; i < count; i++) {
    const e = events[i]!;
    maxEvents = Math.max(maxEvents, e);
    totalEvents += e;
    const zone: Zone = hot[i]! * 2 > e ? 'hot' : cold[i]! * 2 >= per ? 'cold' : 'normal';
    bins.push({ first: i * per, cells: per, events: e, zone });
  }
  return { columns, rows: gridRows, cellsPerBin: per, bins, maxEvents, totalEvents };
}

/** 0 … 1 on the log scale of the grid's busiest bin. */
export function intensity(events: number, maxEvents: number): number {
  if (events <= 0 || maxEvents <= 0) return 0;
  return Math.log1p(events) / Math.log1p(maxEvents);
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

// ---------------------------------------------------------------- terminal

/** Shades from empty to busiest; the plain grid is readable without colour. */
export const SHADES = [' ', '·', '░', '▒', '▓', '█'] as const;
export const HOT_MARK = '▲';
export const COLD_MARK = '▽';

/** xterm-256 colours for the same steps: dark grey through yellow to orange. */
const RAMP_256 = [236, 58, 100, 142, 178, 214] as const;

export interface TextHeatmapOptions {
  /** Terminal width to fit; the grid takes the largest power-of-two width that fits (16 … 128). Default 80. */
  width?: number;
  /** ANSI colours (256-colour foregrounds, red hot and blue cold marks). Default false: plain text for pipes and files. */
  color?: boolean;
}

/** Width of the row labels ("0000 ") plus the frame. */
const LABEL_WIDTH = 6;

/** Grid size for a terminal width: columns a power of two, rows half as many (a character is about twice as tall as wide). */
export function textGridSize(width = 80): { columns: number; rows: number } {
  let columns = 16;
  while (columns * 2 <= 128 && columns * 2 + LABEL_WIDTH + 1 <= width) columns *= 2;
  return { columns, rows: columns / 2 };
}

function shadeIndex(events: number, maxEvents: number): number {
  if (events <= 0) return 0;
  return (
    1 + Math.min(SHADES.length - 2, Math.floor(intensity(events, maxEvents) * (SHADES.length - 1)))
  );
}

/** Upper bound of events of shade `s` (1 … 5) on the log scale. */
function shadeBound(s: number, maxEvents: number): number {
  return Math.round(Math.expm1((s / (SHADES.length - 1)) * Math.log1p(maxEvents)));
}

/**
 * The grid as terminal text: a header of column offsets, one line per row
 * labelled with its first prefix, and a legend. With `color: false` the
 * output is plain characters only (no escape codes).
 */
export function renderHeatmapText(
  rows: readonly HeatmapRow[],
  options: TextHeatmapOptions = {},
): string {
  const { columns, rows: gridRows } = textGridSize(options.width ?? 80);
  const grid = downsample(rows, columns, gridRows);
  const c = createColors(options.color ?? false);
  const ansi256 = (code: number, s: string) =>
    options.color ? `\x1b[38;5;${code}m${s}\x1b[39m` : s;
  const lines: string[] = [];
  // Column offsets every 8 columns, in prefixes from the row's first one.
  let header = ' '.repeat(LABEL_WIDTH);
  for (let col = 0; col < columns; col += 8)
    header += `+${hex(col * grid.cellsPerBin, 3)}`.padEnd(8);
  lines.push(c.dim(header.trimEnd()));
  lines.push(c.dim(`${' '.repeat(LABEL_WIDTH - 1)}┌${'─'.repeat(columns)}┐`));
  for (let r = 0; r < gridRows; r++) {
    let line = '';
    for (let col = 0; col < columns; col++) {
      const bin = grid.bins[r * columns + col]!;
      if (bin.zone === 'hot') line += c.bold(c.red(HOT_MARK));
      else if (bin.zone === 'cold') line += c.blue(COLD_MARK);
      else {
        const s = shadeIndex(bin.events, grid.maxEvents);
        line += s === 0 ? ' ' : ansi256(RAMP_256[s]!, SHADES[s]!);
      }
    }
    lines.push(
      `${c.dim(hex(r * columns * grid.cellsPerBin, 4))} ${c.dim('│')}${line}${c.dim('│')}`,
    );
  }
  lines.push(c.dim(`${' '.repeat(LABEL_WIDTH - 1)}└${'─'.repeat(columns)}┘`));
  lines.push(...heatmapLegend(grid, options.color ?? false));
  return `${lines.join('\n')}\n`;
}

function heatmapLegend(grid: HeatmapGrid, color: boolean): string[] {
  const c = createColors(color);
  const steps = [`${SHADES[1]} 1–${shadeBound(1, grid.maxEvents)}`];
  for (let s = 2; s < SHADES.length; s++) {
    const shade = color ? `\x1b[38;5;${RAMP_256[s]}m${SHADES[s]}\x1b[39m` : SHADES[s]!;
    steps.push(`${shade} ≤${withThousands(shadeBound(s, grid.maxEvents))}`);
  }
  return [
    `Events per bin (log scale): '${SHADES[0]}' none  ${steps.join('  ')}`,
    `${c.bold(c.red(HOT_MARK))} hot zone (far above its expected share)  ${c.blue(COLD_MARK)} cold zone (far below)`,
    `Each bin: ${grid.cellsPerBin} 16-bit prefixes; rows start at the prefix on the left,`,
    `columns add the offset on top. ${withThousands(grid.totalEvents)} events, busiest bin ${withThousands(grid.maxEvents)}.`,
  ];
}

// ------------------------------------------------------------------ images

type Rgb = readonly [number, number, number];

/** A viridis-like ramp: dark violet to yellow, readable in print and for most colour-blind readers. */
const RAMP: readonly Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
const EMPTY: Rgb = [16, 16, 20];
const HOT: Rgb = [230, 30, 40];
const COLD: Rgb = [40, 70, 160];
const BACKGROUND: Rgb = [255, 255, 255];
const INK: Rgb = [30, 30, 30];

export function rampColor(t: number): Rgb {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as unknown as Rgb;
}

function binColor(bin: HeatmapBin, maxEvents: number): Rgb {
  if (bin.zone === 'hot') return HOT;
  if (bin.zone === 'cold') return COLD;
  if (bin.events <= 0) return EMPTY;
  return rampColor(intensity(bin.events, maxEvents));
}

const css = (c: Rgb) => `#${c.map((v) => hex(v, 2)).join('')}`;

export interface ImageHeatmapOptions {
  /** PNG: pixels per 16-bit prefix (the PNG shows every prefix: 256 × 256 cells). Default 2. */
  scale?: number;
  /** SVG: bins across and down (a power-of-two product); default 128 × 64, 8 prefixes a bin. */
  columns?: number;
  rows?: number;
}

/** The grid of an image: PNG at full resolution, SVG downsampled to keep the file small. */
export function imageGridSize(format: 'png' | 'svg', options: ImageHeatmapOptions = {}) {
  if (format === 'png') return { columns: 256, rows: 256 };
  return { columns: options.columns ?? 128, rows: options.rows ?? 64 };
}

/**
 * The heatmap as an image with axis labels (first prefix of each labelled
 * row, offsets along the top) and a colour scale legend: PNG bytes or SVG text.
 */
export function renderHeatmapImage(rows: readonly HeatmapRow[], format: 'png'): Uint8Array;
export function renderHeatmapImage(rows: readonly HeatmapRow[], format: 'svg'): string;
export function renderHeatmapImage(
  rows: readonly HeatmapRow[],
  format: 'png' | 'svg',
  options?: ImageHeatmapOptions,
): Uint8Array | string;
export function renderHeatmapImage(
  rows: readonly HeatmapRow[],
  format: 'png' | 'svg',
  options: ImageHeatmapOptions = {},
): Uint8Array | string {
  const size = imageGridSize(format, options);
  const grid = downsample(rows, size.columns, size.rows);
  return format === 'png' ? renderPng(grid, options.scale ?? 2) : renderSvg(grid);
}

// SVG ------------------------------------------------------------------

const SVG_BIN = { w: 5, h: 6 };
const SVG_MARGIN = { left: 48, top: 40, right: 130, bottom: 20 };

function renderSvg(grid: HeatmapGrid): string {
  const plotW = grid.columns * SVG_BIN.w;
  const plotH = grid.rows * SVG_BIN.h;
  const width = SVG_MARGIN.left + plotW + SVG_MARGIN.right;
  const height = SVG_MARGIN.top + plotH + SVG_MARGIN.bottom;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="10">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="${css(BACKGROUND)}"/>`);
  out.push(
    `<text x="${SVG_MARGIN.left}" y="14" font-size="12">DHT keyspace heatmap: ${withThousands(grid.totalEvents)} events, ${grid.cellsPerBin} 16-bit prefixes per cell</text>`,
  );
  // Column offsets every 16 bins, row labels every 8 rows.
  for (let col = 0; col < grid.columns; col += 16) {
    const x = SVG_MARGIN.left + col * SVG_BIN.w;
    out.push(`<text x="${x}" y="${SVG_MARGIN.top - 6}">+${hex(col * grid.cellsPerBin, 3)}</text>`);
  }
  for (let r = 0; r < grid.rows; r += 8) {
    const y = SVG_MARGIN.top + r * SVG_BIN.h + SVG_BIN.h;
    out.push(
      `<text x="${SVG_MARGIN.left - 4}" y="${y}" text-anchor="end">${hex(r * grid.columns * grid.cellsPerBin, 4)}</text>`,
    );
  }
  out.push('<g shape-rendering="crispEdges">');
  grid.bins.forEach((bin, i) => {
    const x = SVG_MARGIN.left + (i % grid.columns) * SVG_BIN.w;
    const y = SVG_MARGIN.top + Math.floor(i / grid.columns) * SVG_BIN.h;
    out.push(
      `<rect class="cell" x="${x}" y="${y}" width="${SVG_BIN.w}" height="${SVG_BIN.h}" fill="${css(binColor(bin, grid.maxEvents))}"/>`,
    );
  });
  out.push('</g>');
  // Colour scale: a vertical gradient from the busiest bin (top) to one event (bottom).
  const lx = SVG_MARGIN.left + plotW + 20;
  const ly = SVG_MARGIN.top;
  const lh = Math.min(plotH, 200);
  out.push('<defs><linearGradient id="scale" x1="0" y1="1" x2="0" y2="0">');
  for (let s = 0; s <= 10; s++)
    out.push(`<stop offset="${s / 10}" stop-color="${css(rampColor(s / 10))}"/>`);
  out.push('</linearGradient></defs>');
  out.push(
    `<rect class="legend" x="${lx}" y="${ly}" width="14" height="${lh}" fill="url(#scale)"/>`,
  );
  out.push(`<text x="${lx + 20}" y="${ly + 8}">${withThousands(grid.maxEvents)}</text>`);
  out.push(
    `<text x="${lx + 20}" y="${ly + lh / 2}">${Math.round(Math.expm1(Math.log1p(grid.maxEvents) / 2))}</text>`,
  );
  out.push(`<text x="${lx + 20}" y="${ly + lh}">1</text>`);
  out.push(`<text x="${lx}" y="${ly + lh + 14}">events (log)</text>`);
  const swatch = (y: number, color: Rgb, label: string) => {
    out.push(
      `<rect class="legend" x="${lx}" y="${y}" width="14" height="10" fill="${css(color)}"/>`,
    );
    out.push(`<text x="${lx + 20}" y="${y + 9}">${label}</text>`);
  };
  swatch(ly + lh + 24, HOT, 'hot zone');
  swatch(ly + lh + 40, COLD, 'cold zone');
  swatch(ly + lh + 56, EMPTY, 'no events');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// PNG ------------------------------------------------------------------

class Canvas {
  readonly png: PNG;
  constructor(width: number, height: number) {
    this.png = new PNG({ width, height });
    this.fill(0, 0, width, height, BACKGROUND);
  }
  fill(x: number, y: number, w: number, h: number, c: Rgb): void {
    const { width, height, data } = this.png;
    for (let yy = Math.max(0, y); yy < Math.min(height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(width, x + w); xx++) {
        const o = (yy * width + xx) * 4;
        data[o] = c[0];
        data[o + 1] = c[1];
        data[o + 2] = c[2];
        data[o + 3] = 255;
      }
    }
  }
  /** Text at (x, y), top left, in the 5 × 7 pixel font; unknown characters are blanks. */
  text(x: number, y: number, s: string, c: Rgb = INK): void {
    drawText((px, py) => this.fill(px, py, 1, 1, c), x, y, s);
  }
}

const PNG_MARGIN = { left: 44, top: 24, right: 110, bottom: 12 };

function renderPng(grid: HeatmapGrid, scale: number): Uint8Array {
  const px = Math.max(1, Math.round(scale));
  const plotW = grid.columns * px;
  const plotH = grid.rows * px;
  const canvas = new Canvas(
    PNG_MARGIN.left + plotW + PNG_MARGIN.right,
    PNG_MARGIN.top + plotH + PNG_MARGIN.bottom,
  );
  grid.bins.forEach((bin, i) => {
    const x = PNG_MARGIN.left + (i % grid.columns) * px;
    const y = PNG_MARGIN.top + Math.floor(i / grid.columns) * px;
    canvas.fill(x, y, px, px, binColor(bin, grid.maxEvents));
  });
  // Row labels every 32 rows (one 8-bit prefix), column offsets every 64 columns, with ticks.
  for (let r = 0; r < grid.rows; r += 32) {
    const label = hex(r * grid.columns * grid.cellsPerBin, 4);
    const y = PNG_MARGIN.top + r * px;
    canvas.text(PNG_MARGIN.left - 6 - textWidth(label), y, label);
    canvas.fill(PNG_MARGIN.left - 4, y, 3, 1, INK);
  }
  for (let col = 0; col < grid.columns; col += 64) {
    const x = PNG_MARGIN.left + col * px;
    canvas.text(x, PNG_MARGIN.top - 16, `+${hex(col * grid.cellsPerBin, 2)}`);
    canvas.fill(x, PNG_MARGIN.top - 4, 1, 3, INK);
  }
  // Colour scale: busiest at the top, one event at the bottom, then the zone swatches.
  const lx = PNG_MARGIN.left + plotW + 12;
  const ly = PNG_MARGIN.top;
  const lh = Math.min(plotH, 200);
  for (let i = 0; i < lh; i++) canvas.fill(lx, ly + i, 14, 1, rampColor(1 - i / (lh - 1)));
  canvas.text(lx + 20, ly, String(Math.round(grid.maxEvents)));
  canvas.text(lx + 20, ly + lh - 10, '1');
  canvas.text(lx, ly + lh + 6, 'events');
  canvas.text(lx, ly + lh + 20, '(log)');
  const swatch = (y: number, c: Rgb, label: string) => {
    canvas.fill(lx, y, 14, 10, c);
    canvas.text(lx + 20, y, label);
  };
  swatch(ly + lh + 40, HOT, 'hot');
  swatch(ly + lh + 56, COLD, 'cold');
  return PNG.sync.write(canvas.png);
}

/** Every cell of keyspace_heatmap, for the grid and the images. */
export async function heatmapRows(reader: StoreReader): Promise<HeatmapRow[]> {
  const { rows } = await reader.query(
    'SELECT prefix16, events, lookups, addresses, infohashes, zone FROM keyspace_heatmap ORDER BY prefix16',
  );
  return rows.map((r) => ({
    prefix16: Number(r.prefix16),
    events: Number(r.events),
    lookups: Number(r.lookups),
    addresses: Number(r.addresses),
    infohashes: Number(r.infohashes),
    zone: r.zone as HeatmapRow['zone'],
  }));
}

/**
 * The ROC of the three scan detector modes as an image: true-positive rate
 * (scanners caught) against false-positive rate, one curve per mode through
 * the thresholds. SVG written by hand; PNG drawn pixel by pixel, its words
 * in a small pixel font (pixel-font.ts).
 */
import { createRequire } from 'node:module';
import type * as Pngjs from 'pngjs';
import type { RocPoint } from '../capture/evaluation.ts';
import { SCAN_MODES, type ScanMode } from '../capture/scan-config.ts';
import { drawText, textWidth } from './pixel-font.ts';

const WIDTH = 640;
const HEIGHT = 480;
const MARGIN = { left: 70, right: 150, top: 30, bottom: 60 };
/** Marker sizes shrink mode by mode, so points that coincide stay visible (curves often share edges). */
const MARKER: Record<ScanMode, number> = { plain: 7, suppressed: 5, ppr: 3 };
const COLORS: Record<ScanMode, [number, number, number]> = {
  plain: [214, 39, 40],
  suppressed: [31, 119, 180],
  ppr: [44, 160, 44],
};

/** Each mode's points, ordered along the curve: from strict (high N) to loose. */
export function rocSeries(points: readonly RocPoint[]): Record<ScanMode, RocPoint[]> {
  const out = {} as Record<ScanMode, RocPoint[]>;
  for (const mode of SCAN_MODES) {
    out[mode] = points.filter((p) => p.mode === mode).sort((a, b) => b.threshold - a.threshold);
  }
  return out;
}

function x(fpr: number): number {
  return MARGIN.left + fpr * (WIDTH - MARGIN.left - MARGIN.right);
}

function y(tpr: number): number {
  return HEIGHT - MARGIN.bottom - tpr * (HEIGHT - MARGIN.top - MARGIN.bottom);
}

function hex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export function renderRocSvg(points: readonly RocPoint[], title: string): string {
  const series = rocSeries(points);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (let t = 0; t <= 10; t += 2) {
    const v = t / 10;
    parts.push(
      `<line x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${y(1)}" stroke="#ddd"/>`,
      `<line x1="${x(0)}" y1="${y(v)}" x2="${x(1)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${x(v)}" y="${y(0) + 16}" text-anchor="middle">${v.toFixed(1)}</text>`,
      `<text x="${x(0) - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${x(0)}" y="${y(1)}" width="${x(1) - x(0)}" height="${y(0) - y(1)}" fill="none" stroke="black"/>`,
    `<text x="${(x(0) + x(1)) / 2}" y="${HEIGHT - 20}" text-anchor="middle">false-positive rate (non-scanners alarmed)</text>`,
    `<text transform="translate(20 ${(y(0) + y(1)) / 2}) rotate(-90)" text-anchor="middle">true-positive rate (scanners alarmed)</text>`,
  );
  SCAN_MODES.forEach((mode, i) => {
    const color = hex(COLORS[mode]);
    const path = [{ fpr: 0, tpr: 0 }, ...series[mode], { fpr: 1, tpr: 1 }]
      .map((p) => `${x(p.fpr).toFixed(1)},${y(p.tpr).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const ly = MARGIN.top + 20 + i * 20;
    parts.push(
      `<line x1="${WIDTH - MARGIN.right + 15}" y1="${ly}" x2="${WIDTH - MARGIN.right + 40}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${WIDTH - MARGIN.right + 46}" y="${ly + 4}">${mode}</text>`,
    );
  });
  // Markers after every line, largest first, so coinciding points all show.
  for (const mode of SCAN_MODES) {
    for (const p of series[mode]) {
      parts.push(
        `<circle cx="${x(p.fpr).toFixed(1)}" cy="${y(p.tpr).toFixed(1)}" r="${MARKER[mode]}" fill="${hex(COLORS[mode])}"><title>${mode} N=${p.threshold}: TPR ${p.tpr.toFixed(3)}, FPR ${p.fpr.toFixed(3)}</title></circle>`,
      );
    }
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

// The PNG encoder (twenty modules, 12 ms of CPU to load) only for `--roc-out x.png`.
const require = createRequire(import.meta.url);

export function renderRocPng(points: readonly RocPoint[], title: string): Buffer {
  const { PNG } = require('pngjs') as typeof Pngjs;
  const png = new PNG({ width: WIDTH, height: HEIGHT });
  png.data.fill(255);
  const set = (px: number, py: number, [r, g, b]: [number, number, number]) => {
    const cx = Math.round(px);
    const cy = Math.round(py);
    if (cx < 0 || cy < 0 || cx >= WIDTH || cy >= HEIGHT) return;
    const i = (cy * WIDTH + cx) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  const line = (
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    color: [number, number, number],
    width = 1,
  ) => {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      const px = x0 + ((x1 - x0) * s) / steps;
      const py = y0 + ((y1 - y0) * s) / steps;
      for (let dx = 0; dx < width; dx++)
        for (let dy = 0; dy < width; dy++) set(px + dx, py + dy, color);
    }
  };
  const grey: [number, number, number] = [221, 221, 221];
  for (let t = 0; t <= 10; t += 2) {
    line(x(t / 10), y(0), x(t / 10), y(1), grey);
    line(x(0), y(t / 10), x(1), y(t / 10), grey);
  }
  const black: [number, number, number] = [0, 0, 0];
  const ink = (px: number, py: number) => set(px, py, black);
  drawText(ink, Math.round((WIDTH - textWidth(title, 2)) / 2), 8, title, 2);
  for (let t = 0; t <= 10; t += 2) {
    const label = (t / 10).toFixed(1);
    drawText(ink, Math.round(x(t / 10) - textWidth(label) / 2), y(0) + 8, label);
    drawText(ink, x(0) - 8 - textWidth(label), Math.round(y(t / 10) - 3), label);
  }
  const xLabel = 'false-positive rate (non-scanners alarmed)';
  drawText(ink, Math.round((x(0) + x(1) - textWidth(xLabel)) / 2), HEIGHT - 28, xLabel);
  const yLabel = 'true-positive rate (scanners alarmed)';
  drawText(ink, 16, Math.round((y(0) + y(1) + textWidth(yLabel)) / 2), yLabel, 1, true);
  line(x(0), y(0), x(1), y(0), black);
  line(x(0), y(0), x(0), y(1), black);
  line(x(1), y(0), x(1), y(1), black);
  line(x(0), y(1), x(1), y(1), black);
  const series = rocSeries(points);
  SCAN_MODES.forEach((mode, i) => {
    const pts = [{ fpr: 0, tpr: 0 }, ...series[mode], { fpr: 1, tpr: 1 }];
    for (let k = 1; k < pts.length; k++) {
      line(x(pts[k - 1]!.fpr), y(pts[k - 1]!.tpr), x(pts[k]!.fpr), y(pts[k]!.tpr), COLORS[mode], 2);
    }
    const ly = MARGIN.top + 20 + i * 20;
    line(WIDTH - MARGIN.right + 15, ly, WIDTH - MARGIN.right + 40, ly, COLORS[mode], 3);
    drawText(ink, WIDTH - MARGIN.right + 46, ly - 2, mode);
  });
  // Markers after every line, largest first, so coinciding points all show.
  for (const mode of SCAN_MODES) {
    const r = MARKER[mode];
    for (const p of series[mode]) {
      for (let dx = -r; dx <= r; dx++) {
        for (let dy = -r; dy <= r; dy++) {
          if (dx * dx + dy * dy <= r * r) set(x(p.fpr) + dx, y(p.tpr) + dy, COLORS[mode]);
        }
      }
    }
  }
  return PNG.sync.write(png);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

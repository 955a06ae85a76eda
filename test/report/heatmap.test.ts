import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import {
  downsample,
  type HeatmapRow,
  renderHeatmapImage,
  renderHeatmapText,
} from '../../src/report/heatmap.ts';

/** Every cell with 1 … 5 events, the 256 cells from 8000 hot with 500 each, the first 4096 cold (empty). */
function rows(): HeatmapRow[] {
  return Array.from({ length: 65_536 }, (_, p) => {
    const hot = p >= 0x8000 && p < 0x8100;
    const cold = p < 0x1000;
    return {
      prefix16: p,
      events: hot ? 500 : cold ? 0 : 1 + (p % 5),
      lookups: 0,
      addresses: 1,
      infohashes: 1,
      zone: hot ? 'hot' : cold ? 'cold' : 'normal',
    };
  });
}

const ESC = '\x1b';

describe('terminal heatmap', () => {
  it('fits 80 columns with a 64×32 grid, axis labels and a legend', () => {
    const text = renderHeatmapText(rows(), { width: 80 });
    const lines = text.trimEnd().split('\n');
    const grid = lines.filter((l) => /^[0-9a-f]{4} │/.test(l));
    assert.equal(grid.length, 32);
    for (const line of grid) assert.equal([...line.slice(6, -1)].length, 64, line);
    assert.ok(lines.every((l) => [...l].length <= 80));
    assert.equal(grid[0]!.slice(0, 4), '0000');
    assert.equal(grid[16]!.slice(0, 4), '8000');
    assert.match(lines[0]!, /\+000 +\+100/);
    assert.match(text, /Events per bin \(log scale\)/);
    assert.match(text, /▲ hot zone/);
    assert.match(text, /▽ cold zone/);
    assert.match(text, /Each bin: 32 16-bit prefixes/);
    // 8000 … 80ff are 8 bins of row 16, all hot; 0000 … 0fff the first two rows, all cold.
    assert.equal([...grid[16]!.slice(6, -1)].slice(0, 8).join(''), '▲'.repeat(8));
    assert.notEqual([...grid[16]!.slice(6, -1)][8], '▲');
    assert.equal(grid[0]!.slice(6, -1), '▽'.repeat(64));
  });

  it('plain output has no escape codes; colour output has them', () => {
    assert.ok(!renderHeatmapText(rows(), { width: 80 }).includes(ESC));
    assert.ok(renderHeatmapText(rows(), { width: 80, color: true }).includes(`${ESC}[`));
  });

  it('narrows to the width', () => {
    const grid = renderHeatmapText(rows(), { width: 40 })
      .split('\n')
      .filter((l) => /^[0-9a-f]{4} │/.test(l));
    assert.equal(grid.length, 16);
    assert.equal([...grid[0]!.slice(6, -1)].length, 32);
  });

  it('downsamples by summing cells, and refuses grids that do not divide the keyspace', () => {
    const g = downsample(rows(), 256, 256);
    assert.equal(g.bins.length, 65_536);
    assert.equal(g.maxEvents, 500);
    const coarse = downsample(rows(), 1, 1);
    assert.equal(coarse.bins[0]!.events, g.totalEvents);
    assert.throws(() => downsample(rows(), 3, 7), /does not divide/);
  });
});

describe('heatmap images', () => {
  it('PNG decodes to the expected size, one pixel block per prefix, hot cells red', () => {
    const bytes = renderHeatmapImage(rows(), 'png');
    const png = PNG.sync.read(Buffer.from(bytes));
    // Margins 44 + 256 cells × 2 px + 110 across, 24 + 512 + 12 down.
    assert.equal(png.width, 666);
    assert.equal(png.height, 548);
    const pixel = (x: number, y: number) => {
      const o = (y * png.width + x) * 4;
      return [png.data[o], png.data[o + 1], png.data[o + 2]];
    };
    // Cell 8010: row 0x80, column 0x10.
    assert.deepEqual(pixel(44 + 0x10 * 2, 24 + 0x80 * 2), [230, 30, 40]);
    assert.notDeepEqual(pixel(44 + 0x10 * 2, 24 + 0x90 * 2), [230, 30, 40]);
  });

  it('SVG is well-formed enough to parse, with one rect per bin and a legend', () => {
    const svg = renderHeatmapImage(rows(), 'svg');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg.trimEnd(), /<\/svg>$/);
    assert.equal(svg.match(/<rect class="cell"/g)?.length, 128 * 64);
    assert.equal(svg.match(/<text/g)?.length, svg.match(/<\/text>/g)?.length);
    // Every element opened is closed or self-closing.
    const opened = svg.match(/<[a-zA-Z][^>]*[^/]>/g)?.length ?? 0;
    const closed = svg.match(/<\/[a-zA-Z]+>/g)?.length ?? 0;
    assert.equal(opened, closed);
    assert.match(svg, /events \(log\)/);
    assert.match(svg, /hot zone/);
    assert.match(svg, />0000</);
    assert.match(svg, />8000</);
  });
});

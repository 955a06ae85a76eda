/** The PNG images' pixel font: glyph shapes, spacing, vertical text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drawText, textWidth } from '../../src/report/pixel-font.ts';

function draw(text: string, scale = 1, vertical = false): Set<string> {
  const pixels = new Set<string>();
  drawText((x, y) => pixels.add(`${x},${y}`), 100, 100, text, scale, vertical);
  return pixels;
}

describe('pixel font', () => {
  it('draws a glyph as its rows of bits', () => {
    // "1": a stem with a flag on top and a base three wide.
    const one = draw('1');
    assert.equal(one.size, 10);
    assert.ok(one.has('102,100') && one.has('101,101') && one.has('101,106') && one.has('103,106'));
    assert.ok(!one.has('100,100'));
  });

  it('advances six pixels per character, draws lower case as capitals, blanks the unknown', () => {
    assert.deepEqual(draw('a'), draw('A'));
    const pair = draw('1?1');
    const shifted = [...draw('1')].map((p) => {
      const [x, y] = p.split(',').map(Number);
      return `${x! + 12},${y}`;
    });
    for (const p of shifted) assert.ok(pair.has(p), p);
    assert.equal(pair.size, 20);
    assert.equal(textWidth('1?1'), 17);
    assert.equal(textWidth('1?1', 2), 34);
  });

  it('scales each font pixel to a square and writes vertical text bottom to top', () => {
    assert.equal(draw('1', 3).size, 90);
    const up = draw('1', 1, true);
    assert.equal(up.size, 10);
    // Row 0 of the glyph becomes the leftmost column, its first column the bottom.
    assert.ok(up.has('100,98'), [...up].join(' '));
  });
});

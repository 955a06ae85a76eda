/**
 * A 5 × 7 pixel font for the words on PNG images (axes, legends, titles),
 * which pngjs draws pixel by pixel and cannot letter. Capitals, digits and
 * the punctuation labels need; lower case is drawn as capitals, anything
 * else as a blank. Each glyph is seven rows of five bits, top row first,
 * the leftmost pixel the highest bit.
 */

const ROWS: Record<string, string> = {
  '0': '01110 10001 10011 10101 11001 10001 01110',
  '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111',
  '3': '11111 00010 00100 00010 00001 10001 01110',
  '4': '00010 00110 01010 10010 11111 00010 00010',
  '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110',
  '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110',
  '9': '01110 10001 10001 01111 00001 00010 01100',
  A: '01110 10001 10001 11111 10001 10001 10001',
  B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110',
  D: '11100 10010 10001 10001 10001 10010 11100',
  E: '11111 10000 10000 11110 10000 10000 11111',
  F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111',
  H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110',
  J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001',
  L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001',
  N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110',
  P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101',
  R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110',
  V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010',
  X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 01010 00100 00100 00100 00100',
  Z: '11111 00001 00010 00100 01000 10000 11111',
  '.': '00000 00000 00000 00000 00000 01100 01100',
  ',': '00000 00000 00000 00000 01100 00100 01000',
  '-': '00000 00000 00000 11111 00000 00000 00000',
  '+': '00000 00100 00100 11111 00100 00100 00000',
  '=': '00000 00000 11111 00000 11111 00000 00000',
  '/': '00001 00001 00010 00100 01000 10000 10000',
  '%': '11001 11001 00010 00100 01000 10011 10011',
  '(': '00010 00100 01000 01000 01000 00100 00010',
  ')': '01000 00100 00010 00010 00010 00100 01000',
  ':': '00000 01100 01100 00000 01100 01100 00000',
  '<': '00010 00100 01000 10000 01000 00100 00010',
  '>': '01000 00100 00010 00001 00010 00100 01000',
  '≥': '01000 00100 00010 00100 01000 00000 11111',
  '≤': '00010 00100 01000 00100 00010 00000 11111',
  '·': '00000 00000 00000 01100 01100 00000 00000',
};

const GLYPHS = new Map<string, number[]>(
  Object.entries(ROWS).map(([ch, rows]) => [ch, rows.split(' ').map((r) => Number.parseInt(r, 2))]),
);

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;

/** Pixels a line of text takes across at `scale`: 5 per glyph and 1 between. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * (GLYPH_WIDTH + 1) - 1) * scale;
}

/**
 * Draws `text` with its top-left corner at (x, y), each font pixel a
 * `scale` × `scale` square, through `set` (which clips). `vertical` writes
 * bottom to top, for a y-axis label, starting at the bottom-left corner.
 */
export function drawText(
  set: (x: number, y: number) => void,
  x: number,
  y: number,
  text: string,
  scale = 1,
  vertical = false,
): void {
  let offset = 0;
  for (const ch of text) {
    const rows = GLYPHS.get(ch.toUpperCase());
    if (rows !== undefined) {
      for (let row = 0; row < GLYPH_HEIGHT; row++) {
        for (let col = 0; col < GLYPH_WIDTH; col++) {
          if (((rows[row]! >> (GLYPH_WIDTH - 1 - col)) & 1) === 0) continue;
          for (let dy = 0; dy < scale; dy++) {
            for (let dx = 0; dx < scale; dx++) {
              const gx = (offset + col) * scale + dx;
              const gy = row * scale + dy;
              if (vertical) set(x + gy, y - gx);
              else set(x + gx, y + gy);
            }
          }
        }
      }
    }
    offset += GLYPH_WIDTH + 1;
  }
}

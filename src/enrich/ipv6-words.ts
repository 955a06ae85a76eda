/**
 * Reads textual IPv6 (hex groups, at most one `::`) straight from a slice of
 * a larger string into four big-endian 32-bit words, without slicing: the
 * built-in IPv6 table has 200,000 addresses to read at load, and the general
 * parser (`parseIp`, which splits and tests every group) takes most of that
 * time. Embedded IPv4 (`::ffff:1.2.3.4`) and zone ids are not handled: the
 * caller falls back to `parseIp` when this returns false.
 */
export function writeIpv6Words(
  text: string,
  from: number,
  to: number,
  into: Uint32Array,
  offset: number,
): boolean {
  const groups = new Array<number>(8);
  let count = 0;
  let gap = -1; // index in `groups` where "::" stands
  let i = from;
  if (text.startsWith('::', i) && i + 2 <= to) {
    gap = 0;
    i += 2;
    if (i === to) return fill(groups, count, gap, into, offset);
  }
  for (;;) {
    let value = 0;
    let digits = 0;
    while (i < to && digits <= 4) {
      const v = hexValue(text.charCodeAt(i));
      if (v < 0) break;
      value = (value << 4) | v;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === to) break;
    if (text.charCodeAt(i) !== 58 /* : */) return false;
    i++;
    if (text.charCodeAt(i) === 58 && i < to) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === to) break;
    } else if (i === to) {
      return false; // a single trailing colon
    }
  }
  return fill(groups, count, gap, into, offset);
}

function fill(
  groups: number[],
  count: number,
  gap: number,
  into: Uint32Array,
  offset: number,
): boolean {
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const all = new Array<number>(8).fill(0);
  const tail = gap < 0 ? 0 : count - gap;
  for (let g = 0; g < count - tail; g++) all[g] = groups[g]!;
  for (let g = 0; g < tail; g++) all[8 - tail + g] = groups[count - tail + g]!;
  for (let w = 0; w < 4; w++) into[offset + w] = ((all[w * 2]! << 16) | all[w * 2 + 1]!) >>> 0;
  return true;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

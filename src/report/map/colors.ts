/**
 * One colour per ASN, the same in every map: the hue comes from the ASN
 * itself (golden-ratio steps around the colour wheel, so neighbouring ASNs
 * such as 64600 and 64601 get far-apart hues), not from its rank in one map.
 * Addresses of no known ASN are grey.
 */

const GOLDEN_RATIO_FRACTION = 0.618_033_988_749_895;
export const UNKNOWN_ASN_COLOR = '#8a8f98';

export function asnColor(asn: number | null | undefined): string {
  if (asn === null || asn === undefined || !Number.isFinite(asn)) return UNKNOWN_ASN_COLOR;
  const hue = Math.round(((asn * GOLDEN_RATIO_FRACTION) % 1) * 360);
  // Golden-ratio hues come back close every 8 and 13 steps; three lightness
  // levels (by asn mod 3) and two saturations (by parity) tell those apart.
  const lightness = [36, 48, 60][asn % 3];
  const saturation = asn % 2 === 0 ? 70 : 85;
  return `hsl(${hue} ${saturation}% ${lightness}%)`;
}

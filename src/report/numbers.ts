/**
 * Numbers for people to read. `toLocaleString('en-US')` says the same, but
 * its first call in a process loads ICU's locale data: 8–10 ms of CPU, more
 * than a small capture's whole analysis.
 */

/** An integer with its thousands separated by commas, as `toLocaleString('en-US')` writes it. */
export function withThousands(n: number): string {
  // A comma before every digit that has a multiple of three digits after it.
  const grouped = String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 && grouped !== '0' ? `-${grouped}` : grouped;
}

/** The lab overlay as a CSV file (docs/enrichment.md's format), for the sensor process to load. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OverlayEntry } from '../enrich/index.ts';
import { OVERLAY_COLUMNS } from '../enrich/index.ts';
import { csvText } from '../store/journal-format.ts';

/** Where a lab run or trace leaves its overlay in the data directory. */
export function labOverlayPath(dataDir: string): string {
  return join(dataDir, 'lab', 'overlay.csv');
}

export function writeOverlayCsv(dataDir: string, entries: readonly OverlayEntry[]): string {
  const path = labOverlayPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, overlayCsv(entries));
  return path;
}

/** The overlay as CSV text, header first. */
export function overlayCsv(entries: readonly OverlayEntry[]): string {
  const lines = [OVERLAY_COLUMNS.join(',')];
  for (const entry of entries) {
    const row = entry as unknown as Record<string, string | number | undefined>;
    lines.push(
      OVERLAY_COLUMNS.map((column) => {
        const value = row[column];
        // One line per entry: the overlay reader splits on line breaks.
        return value === undefined ? '' : csvText(String(value));
      }).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The lab overlay as a CSV file (docs/enrichment.md's format), for the sensor process to load. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OverlayEntry } from '../enrich/index.ts';
import { OVERLAY_COLUMNS } from '../enrich/index.ts';

export function writeOverlayCsv(dataDir: string, entries: readonly OverlayEntry[]): string {
  const dir = join(dataDir, 'lab');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'overlay.csv');
  const lines = [OVERLAY_COLUMNS.join(',')];
  for (const entry of entries) {
    lines.push(
      OVERLAY_COLUMNS.map((column) => {
        const value = (entry as unknown as Record<string, string | number | undefined>)[column];
        if (value === undefined) return '';
        const text = String(value);
        return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
      }).join(','),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/**
 * The four keyspace detectors over one range of addresses (base.ts folds,
 * each detector tallies), and the ranges' tallies put together: the same
 * code on this thread for a small store and in worker threads for a large
 * one (worker.ts), where each worker hands back its ranges' parts.
 */
import type { AddressRange } from '../operator-stream.ts';
import { type FoldInput, foldLookups } from './base.ts';
import { HeatmapCells, type HeatmapPart, type HeatmapTableRow, heatmapRows } from './heatmap.ts';
import { type EntropyPart, EntropyTally, type PrefixEntropyRow } from './prefix-entropy.ts';
import { FamilyTally, type PrefixFamilyRow, type Span } from './prefix-families.ts';
import { type ScannerRow, ScannerTally } from './scanners.ts';
import type { KeyspaceConfig } from './step.ts';

/** One range's tallies, as a worker posts them back. */
export interface KeyspacePart {
  cells: HeatmapPart;
  scanners: ScannerRow[];
  entropy: EntropyPart;
  spans: Span[];
}

export interface KeyspaceRows {
  heatmap: HeatmapTableRow[];
  scanners: ScannerRow[];
  entropy: PrefixEntropyRow[];
  families: PrefixFamilyRow[];
}

interface Tallies {
  cells: HeatmapCells;
  scanners: ScannerTally;
  entropy: EntropyTally;
  families: FamilyTally;
}

function tallies(read: FoldInput, c: KeyspaceConfig): Tallies {
  return {
    cells: new HeatmapCells(read.targetKeys),
    scanners: new ScannerTally(c.scanners, read.addresses),
    entropy: new EntropyTally(c.entropy),
    families: new FamilyTally(c.families),
  };
}

/** Folds and tallies the addresses of `range`. */
export function tallyRange(
  read: FoldInput,
  c: KeyspaceConfig,
  range: AddressRange,
  onProgress?: (done: number) => void,
): KeyspacePart {
  const t = tallies(read, c);
  foldLookups(
    read,
    range,
    c.bucketMinutes,
    {
      bucket: (b) => {
        t.cells.bucket(b);
        t.scanners.bucket(b);
        t.entropy.bucket(b);
        t.families.bucket(b);
      },
      endAddress: (ipNo) => {
        t.scanners.endAddress(ipNo);
        t.entropy.endAddress(ipNo);
      },
    },
    onProgress,
  );
  return {
    cells: t.cells.part(),
    scanners: t.scanners.rows,
    entropy: t.entropy.part(),
    spans: t.families.part(),
  };
}

/** The four tables' rows from the parts of contiguous ranges, given in address order. */
export function keyspaceRows(
  read: FoldInput,
  c: KeyspaceConfig,
  parts: readonly KeyspacePart[],
): KeyspaceRows {
  const t = tallies(read, c);
  const scanners: ScannerRow[] = [];
  for (const part of parts) {
    t.cells.absorb(part.cells);
    for (const row of part.scanners) scanners.push(row);
    t.entropy.absorb(part.entropy);
    t.families.absorb(part.spans);
  }
  t.cells.finish();
  return {
    heatmap: heatmapRows(t.cells, c.heatmap),
    scanners,
    entropy: t.entropy.rows(read.addresses),
    families: t.families.rows(read.addresses, c.bucketMinutes),
  };
}

/**
 * A lab run or trace has a data directory to itself. A second one into the
 * same directory would add its events to the first's and overwrite the
 * ground truth, so neither would score right again: it is refused, before
 * anything is written or started.
 */
import { existsSync, readdirSync } from 'node:fs';
import { EVENTS } from '../store/datasets.ts';
import { StoreError } from '../store/errors.ts';
import { DataLayout } from '../store/layout.ts';
import { groundTruthPath } from './ground-truth.ts';

export function refuseEarlierRun(dataDir: string): void {
  if (existsSync(groundTruthPath(dataDir))) {
    throw new StoreError(
      `${dataDir} already holds a lab run (lab/ground-truth.json)`,
      `give --data-dir a new directory, or delete ${dataDir} first; \`dhtscope lab eval --existing --data-dir ${dataDir}\` scores the run it holds`,
    );
  }
  // Events with no ground truth: an interrupted run, or a sensor's own record.
  if (holdsEvents(new DataLayout(dataDir))) {
    throw new StoreError(
      `${dataDir} already holds events`,
      `give --data-dir a new directory, or delete ${dataDir} first if it holds nothing you need`,
    );
  }
}

function holdsEvents(layout: DataLayout): boolean {
  const parts = layout.datasetDir(EVENTS);
  const journal = layout.journalDir(EVENTS);
  return (
    (existsSync(parts) && readdirSync(parts).length > 0) ||
    // A writer's lock alone is no event.
    (existsSync(journal) && readdirSync(journal).some((name) => !name.endsWith('.lock')))
  );
}

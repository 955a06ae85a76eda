/**
 * The ground truth of a lab run or trace, kept beside the events it labels:
 * `lab/ground-truth.json` in the data directory (docs/scenarios.md shows
 * its shape). `lab eval` scores the detectors against it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../store/errors.ts';
import type { GroundTruth } from './world.ts';

export interface GroundTruthFile {
  scenario: string;
  mode: 'live' | 'trace';
  labels: GroundTruth[];
}

export function groundTruthPath(dataDir: string): string {
  return join(dataDir, 'lab', 'ground-truth.json');
}

export function writeGroundTruth(dataDir: string, file: GroundTruthFile): void {
  const path = groundTruthPath(dataDir);
  mkdirSync(join(dataDir, 'lab'), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}

/**
 * A directory with no ground truth holds no lab run to score: that is what
 * the user pointed at (a store error the CLI shows with its hint), not a bug.
 */
export function readGroundTruth(dataDir: string): GroundTruthFile {
  const path = groundTruthPath(dataDir);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GroundTruthFile;
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'is missing'
        : `cannot be read (${(error as Error).message})`;
    throw new StoreError(
      `no lab run in ${dataDir}: lab/ground-truth.json ${why}`,
      'run `dhtscope lab trace` (or `lab run`) into this data directory first',
    );
  }
}

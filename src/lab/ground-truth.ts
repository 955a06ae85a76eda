/**
 * The ground truth of a lab run or trace, kept beside the events it labels:
 * `lab/ground-truth.json` in the data directory (docs/scenarios.md shows
 * its shape). `lab eval` scores the detectors against it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioError } from './scenario.ts';
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

export function readGroundTruth(dataDir: string): GroundTruthFile {
  const path = groundTruthPath(dataDir);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GroundTruthFile;
  } catch (error) {
    throw new ScenarioError(
      `no lab ground truth in ${dataDir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'run `dhtscope lab run` or `dhtscope lab trace` into this data directory first',
    );
  }
}

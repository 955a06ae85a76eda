/**
 * One step of `dhtscope compute`: a detector (or a family of them) that
 * reads the store and writes derived tables. `compute` runs the steps in
 * order, each against fresh views, shows their progress, and records each
 * table in the catalog so reports can say how fresh they are.
 */
import type { StoreReader } from '../store/reader.ts';
import type { TableSpec } from '../store/tables.ts';

/** Overrides of detector defaults from the config file, by detector name (docs/analysis.md). */
export type DetectorOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface StepContext {
  reader: StoreReader;
  /** The detector overrides of the config file; each step reads its own keys. */
  config: DetectorOverrides;
  /** Work done so far, in the step's own units (events, hashes …). */
  onProgress: (done: number, total: number) => void;
}

export interface StepResult {
  /** Rows written per table. */
  rows: Record<string, number>;
  /** One line for the compute summary (e.g. "1,204 hashes, 37 observer targets"). */
  summary: string;
}

export interface AnalysisStep {
  /** Names the step in progress and errors. */
  readonly name: string;
  /** The tables it writes (registered in src/store/tables.ts). */
  readonly tables: readonly TableSpec[];
  run(context: StepContext): Promise<StepResult>;
}

/**
 * One step of `dhtscope compute`: a detector (or a family of them) that
 * reads the store and writes derived tables. `compute` runs the steps in
 * order, each against fresh views, shows their progress, and records each
 * table in the catalog so reports can say how fresh they are.
 */
import type { StoreReader } from '../store/reader.ts';
import type { TableSpec } from '../store/tables.ts';
import type { OperatorRead } from './operator-stream.ts';

/** Overrides of detector defaults from the config file, by detector name (docs/analysis.md). */
export type DetectorOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

export interface StepContext {
  reader: StoreReader;
  /** The detector overrides of the config file; each step reads its own keys. */
  config: DetectorOverrides;
  /** Work done so far, in the step's own units (events, hashes …). */
  onProgress: (done: number, total: number) => void;
  /** What earlier steps of the same `compute` run leave for later ones; absent when a step runs alone. */
  shared?: RunShared;
}

/**
 * Reads one step makes that later steps of the run can use instead of
 * reading the store again; compute lets each go after its last user.
 */
export interface RunShared {
  /** The operator reader's columns, while a later step of the run uses them. */
  operatorRead?: OperatorRead | undefined;
  /**
   * Set by compute when a later step wants the operator reader's columns:
   * the step that reads them calls it as soon as they are read (compute
   * keeps them and starts the steps' `beginOnRead`).
   */
  keepOperatorRead?: (read: OperatorRead) => void;
  /** What each step's `beginOnRead` or `ahead` is working out, by step. */
  begun: Map<AnalysisStep, Promise<unknown>>;
  /** µs from the first to the last event of the store, as the run found them. */
  eventSpanUs: number;
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
  /** Uses the operator reader's columns when an earlier step of the run left them (RunShared). */
  readonly usesOperatorRead?: boolean;
  /**
   * Starts the step's work on the operator reader's columns the moment they
   * are read, beside the steps still running (its result waits in
   * RunShared.begun for the step's turn): work on worker threads fills the
   * cores while the step that read them packs and analyses.
   */
  readonly beginOnRead?: (
    read: OperatorRead,
    config: DetectorOverrides,
    shared: RunShared,
  ) => Promise<unknown>;
  /**
   * Work that reads only the events, run ahead on the DuckDB of the steps
   * beside the operator profiles when the run has one (compute.ts); its
   * result waits in RunShared.begun for the step's turn.
   */
  readonly ahead?: (reader: StoreReader, config: DetectorOverrides) => Promise<unknown>;
}

/**
 * A detector's thresholds with the config file's overrides applied: every
 * override must name a known setting (by default, a key of `defaults`) and
 * be a finite number, so a typo in the config file is an error instead of a
 * silently ignored setting.
 */
export function withOverrides<T extends Record<string, number>>(
  defaults: T,
  overrides: Readonly<Record<string, unknown>> | undefined,
  where: string,
  known: ReadonlySet<string> = new Set(Object.keys(defaults)),
): T {
  const out: Record<string, number> = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!known.has(key))
      throw new Error(`${where}: unknown setting ${key} (settings: ${[...known].join(', ')})`);
    if (!(key in defaults)) continue;
    if (typeof value !== 'number')
      throw new Error(`${where}.${key}: expected a number, got ${JSON.stringify(value)}`);
    // JSON reads 1e400 as Infinity, which JSON.stringify would show as "null".
    if (!Number.isFinite(value))
      throw new Error(`${where}.${key}: ${value} is not a finite number`);
    // Counts, shares, durations and gates alike: none of them means anything below zero.
    if (value < 0) throw new Error(`${where}.${key}: ${value} is negative; settings are 0 or more`);
    out[key] = value;
  }
  return out as T;
}

/**
 * withOverrides for a config of several detectors, each with its own
 * thresholds (`{ sweep: { minTargets: 40 } }`): unknown detectors, a detector
 * given something other than an object, and bad settings are errors.
 */
export function withNestedOverrides<T extends Record<string, Record<string, number>>>(
  defaults: T,
  overrides: Readonly<Record<string, unknown>> | undefined,
  where: string,
): T {
  const out: Record<string, Record<string, number>> = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in defaults))
      throw new Error(
        `${where}: unknown detector ${key} (known: ${Object.keys(defaults).join(', ')})`,
      );
    if (value === undefined) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`${where}.${key}: expected an object of settings`);
    out[key] = withOverrides(
      defaults[key]!,
      value as Readonly<Record<string, unknown>>,
      `${where}.${key}`,
    );
  }
  return out as T;
}

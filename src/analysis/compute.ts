/**
 * `dhtscope compute`: every analysis step in order over the store, each
 * table recorded in the catalog with when it was computed and over which
 * events, so reports can say how fresh they are. Steps never run
 * implicitly: reports read what the last compute wrote.
 */
import { recordInCatalog } from '../store/derived.ts';
import { StoreReader } from '../store/reader.ts';
import { resolveConfig as resolveClassifierConfig } from './classify-operators.ts';
import { campaignsStep, resolveCampaignTrackingConfig } from './coordination/campaigns-step.ts';
import { clusteringStep, resolveClusteringConfig } from './coordination/clustering-step.ts';
import { coordinationStep, resolveCoordinationConfig } from './coordination/co-appearance-step.ts';
import { dailySummariesStep } from './daily-summaries-step.ts';
import { fingerprintsStep, resolveFingerprintConfig } from './fingerprints/step.ts';
import { resolveHashProfileConfig } from './hash-profiles/classify.ts';
import { hashProfilesStep } from './hash-profiles/step.ts';
import { keyspaceStep, resolveKeyspaceConfig } from './keyspace/step.ts';
import { operatorProfilesStep } from './operator-profiles-step.ts';
import { operatorsStep, resolveOperatorsConfig } from './operators.ts';
import { rendezvousStep, resolveRendezvousConfig } from './rendezvous/step.ts';
import { resolveSequenceConfig, sequencesStep } from './sequences/step.ts';
import type { AnalysisStep, DetectorOverrides, RunShared, StepResult } from './step.ts';

/** In dependency order: the fleet view reads operator_profiles. */
export const ANALYSIS_STEPS: readonly AnalysisStep[] = [
  operatorProfilesStep,
  // Right after, so the operator reader's columns they use are let go early.
  keyspaceStep,
  sequencesStep,
  // Clustering and campaigns read operator_profiles; campaigns read operator_clusters and fingerprints.
  fingerprintsStep,
  coordinationStep,
  clusteringStep,
  campaignsStep,
  operatorsStep,
  hashProfilesStep,
  rendezvousStep,
  dailySummariesStep,
];

/** The config file's top-level keys: one per detector family (docs/analysis.md). */
export const DETECTOR_CONFIG_KEYS = [
  'operator_profiles',
  'operators',
  'hash_profiles',
  'keyspace',
  'sequences',
  'rendezvous',
  'fingerprints',
  'coordination',
  'clustering',
  'campaigns',
] as const;

type DetectorConfigKey = (typeof DETECTOR_CONFIG_KEYS)[number];

/** How each section of the config file is read; each throws on what it cannot use. */
const CONFIG_READERS: Record<
  DetectorConfigKey,
  (overrides: Readonly<Record<string, unknown>> | undefined) => unknown
> = {
  operator_profiles: (o) => resolveClassifierConfig(o),
  operators: resolveOperatorsConfig,
  hash_profiles: (o) => resolveHashProfileConfig(o),
  keyspace: resolveKeyspaceConfig,
  sequences: resolveSequenceConfig,
  rendezvous: resolveRendezvousConfig,
  fingerprints: resolveFingerprintConfig,
  coordination: resolveCoordinationConfig,
  clustering: resolveClusteringConfig,
  campaigns: resolveCampaignTrackingConfig,
};

/**
 * Reads every section of a detector config the way its step will, so a typo
 * or a bad value deep in the file is reported before the first step runs,
 * not minutes later when its step comes.
 */
export function checkDetectorConfig(config: DetectorOverrides): void {
  for (const [key, value] of Object.entries(config)) {
    const read = CONFIG_READERS[key as DetectorConfigKey];
    if (read === undefined)
      throw new Error(`unknown key "${key}" (keys: ${DETECTOR_CONFIG_KEYS.join(', ')})`);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`"${key}" must be an object of thresholds`);
    read(value);
  }
}

export interface ComputeOptions {
  config?: DetectorOverrides;
  /** Only these steps (by table name); default all. */
  only?: readonly string[];
  onStep?: (step: AnalysisStep, index: number, count: number) => void;
  onProgress?: (step: AnalysisStep, done: number, total: number) => void;
  onStepDone?: (step: AnalysisStep, result: StepResult, ms: number) => void;
}

export interface ComputeResult {
  steps: { name: string; ms: number; result: StepResult }[];
  events: number;
  totalMs: number;
}

export async function compute(
  reader: StoreReader,
  options: ComputeOptions = {},
): Promise<ComputeResult> {
  checkDetectorConfig(options.config ?? {});
  const started = Date.now();
  const window = await reader.withFreshViews((duck) =>
    duck.rows(
      `SELECT count(*)::DOUBLE AS n, min(ts)::VARCHAR AS first, max(ts)::VARCHAR AS last,
        coalesce(epoch_us(max(ts)) - epoch_us(min(ts)), 0)::DOUBLE AS span FROM events`,
    ),
  );
  const { n, first, last, span } = window[0] as {
    n: number;
    first: string | null;
    last: string | null;
    span: number;
  };
  const steps = ANALYSIS_STEPS.filter(
    (s) => options.only === undefined || s.tables.some((t) => options.only!.includes(t.name)),
  );
  const out: ComputeResult['steps'] = [];
  const readUsers = (from: number) => steps.slice(from).some((s) => s.usesOperatorRead === true);
  // A step that only begins on the read (and keeps its result) does not keep the read itself.
  const wantsRead = steps.some((s) => s.usesOperatorRead === true || s.beginOnRead !== undefined);
  const shared: RunShared = { begun: new Map(), eventSpanUs: span };
  const beside = steps.includes(operatorProfilesStep)
    ? startBeside(
        reader,
        steps.filter((s) => BESIDE.includes(s)),
        options.config ?? {},
        steps.filter((s) => s.ahead !== undefined),
        shared.begun,
      )
    : new Map<AnalysisStep, BesideRun>();
  if (steps.includes(operatorProfilesStep) && wantsRead)
    shared.keepOperatorRead = (read) => {
      shared.operatorRead = read;
      for (const step of steps) {
        if (step.beginOnRead === undefined) continue;
        const work = step.beginOnRead(read, options.config ?? {}, shared);
        // A failure surfaces when the step's turn comes and it awaits the work.
        work.catch(() => {});
        shared.begun.set(step, work);
      }
    };
  try {
    for (const [index, step] of steps.entries()) {
      options.onStep?.(step, index, steps.length);
      const t0 = Date.now();
      const besideRun = beside.get(step);
      besideRun?.watch((done, total) => options.onProgress?.(step, done, total));
      const { result, ms } =
        besideRun !== undefined
          ? await besideRun.finished
          : {
              result: await step.run({
                reader,
                config: options.config ?? {},
                onProgress: (done, total) => options.onProgress?.(step, done, total),
                shared,
              }),
              ms: 0,
            };
      // A step run beside reports its own duration; the others, the time they took here.
      const tookMs = besideRun !== undefined ? ms : Date.now() - t0;
      for (const table of step.tables) {
        recordInCatalog(reader.layout, table.name, {
          computedAt: new Date().toISOString(),
          ...(first === null ? {} : { eventsFrom: isoOf(first) }),
          ...(last === null ? {} : { eventsTo: isoOf(last) }),
          events: Number(n),
          rows: result.rows[table.name] ?? 0,
          durationMs: tookMs,
        });
      }
      // Several hundred megabytes: let the read go once no later step uses it.
      if (!readUsers(index + 1)) shared.operatorRead = undefined;
      options.onStepDone?.(step, result, tookMs);
      out.push({ name: step.name, ms: tookMs, result });
    }
  } catch (error) {
    // Nothing will wait for the steps beside any more: stop them rather than let them run on.
    stopBeside(beside);
    throw error;
  }
  return { steps: out, events: Number(n), totalMs: Date.now() - started };
}

/**
 * Steps that read only the events and write tables no other step reads. In
 * a run with the operator profiles they go beside it, one after the other
 * on a DuckDB of their own: the operator reader keeps one core busy with
 * JavaScript and leaves about half of the other idle while it reads.
 */
const BESIDE: readonly AnalysisStep[] = [dailySummariesStep];

interface Finished {
  result: StepResult;
  ms: number;
}

/** A step started beside the others: its result, and its progress once its turn has come. */
interface BesideRun {
  finished: Promise<Finished>;
  /** Shows the step's progress from now on (and where it stands). */
  watch(onProgress: (done: number, total: number) => void): void;
  /** Interrupts the step if it runs, and keeps it from starting if it has not. */
  stop(): void;
}

function stopBeside(runs: ReadonlyMap<AnalysisStep, BesideRun>): void {
  for (const run of runs.values()) run.stop();
}

function startBeside(
  reader: StoreReader,
  steps: readonly AnalysisStep[],
  config: DetectorOverrides,
  aheadOf: readonly AnalysisStep[],
  begun: Map<AnalysisStep, Promise<unknown>>,
): Map<AnalysisStep, BesideRun> {
  const started = new Map<AnalysisStep, BesideRun>();
  if (steps.length === 0 && aheadOf.length === 0) return started;
  // One DuckDB thread: what the operator reader leaves idle, without slowing it down.
  const own = StoreReader.open(reader.layout.root, { threads: 1 });
  let previous: Promise<unknown> = own;
  let stopped = false;
  // Work ahead of later steps first: small, and the steps wait for it at their turn.
  for (const step of aheadOf) {
    const work = previous.then(async () => {
      if (stopped) throw new Error(`${step.name}: not run, compute stopped`);
      return step.ahead!(await own, config);
    });
    // A failure surfaces when the step's turn comes and it awaits the work; the lane goes on.
    begun.set(step, work);
    previous = work.then(
      () => undefined,
      () => undefined,
    );
  }
  for (const step of steps) {
    let sink: ((done: number, total: number) => void) | undefined;
    let last: [number, number] | undefined;
    const onProgress = (done: number, total: number) => {
      last = [done, total];
      sink?.(done, total);
    };
    const finished = previous.then(async () => {
      if (stopped) throw new Error(`${step.name}: not run, compute stopped`);
      const t0 = Date.now();
      const result = await step.run({ reader: await own, config, onProgress });
      return { result, ms: Date.now() - t0 };
    });
    started.set(step, {
      finished,
      watch(show) {
        sink = show;
        if (last !== undefined) show(...last);
      },
      stop() {
        stopped = true;
        void own.then((r) => r.duck.connection.interrupt());
      },
    });
    previous = finished;
  }
  // Closed once the last has run, whatever happened; a failure surfaces where its step is awaited.
  void previous.then(
    async () => (await own).close(),
    async () => (await own).close(),
  );
  for (const run of started.values()) run.finished.catch(() => {});
  return started;
}

/** DuckDB prints timestamps as `2026-01-05 00:00:00.123`; the catalog keeps ISO 8601 UTC. */
function isoOf(text: string): string {
  return `${text.replace(' ', 'T')}Z`.replace(/(\.\d{3})\d*Z$/, '$1Z');
}

import type { Command } from 'commander';
import { builtinScenarioNames, resolveScenario } from '../../lab/builtin-scenarios.ts';
import { formatDuration } from '../../lab/duration.ts';
import { type LiveRunResult, runLive } from '../../lab/run-live.ts';
import { type Scenario, ScenarioError } from '../../lab/scenario.ts';
import { type TraceResult, writeTrace } from '../../lab/trace.ts';
import { buildWorld, type World } from '../../lab/world.ts';
import { addDataDirOption } from '../data-dir.ts';
import { CliError, usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { storeErrors } from '../store-errors.ts';
import { registerLabEval } from './lab-eval.ts';
import { registerLabNetwork } from './lab-network.ts';

export function registerLab(program: Command, io: CliIo): void {
  const lab = program
    .command('lab')
    .description('a simulated DHT on loopback with scripted actors: live runs, traces, evaluation')
    .addHelpText(
      'after',
      '\nScenario files and their format: docs/scenarios.md. Built-in scenarios: dhtscope lab scenarios',
    );

  lab
    .command('scenarios')
    .description('list the built-in scenarios')
    .action(() => {
      for (const name of builtinScenarioNames()) {
        const { scenario } = resolveScenario(name);
        io.out(
          `${name.padEnd(14)} ${formatDuration(scenario.duration).padEnd(6)} ${scenario.actors.length} actor kinds  ${scenario.description}`,
        );
      }
    });

  addDataDirOption(
    lab
      .command('run')
      .description(
        'run a scenario live: lab DHT nodes, a real antenna process, the actors (loopback only)',
      )
      .requiredOption(
        '--scenario <name|file>',
        'a built-in scenario or a .yaml/.json file, required',
      ),
  ).action(async (flags: { scenario: string; dataDir: string }) => {
    const { world } = loadWorldFlag(flags.scenario);
    const result = await runLiveWithProgress(world, flags.dataDir, io);
    io.out(describeLive(result, world.scenario, flags.dataDir));
  });

  addDataDirOption(
    lab
      .command('trace')
      .description('write a scenario straight into the store as labelled events (no network)')
      .requiredOption(
        '--scenario <name|file>',
        'a built-in scenario or a .yaml/.json file, required',
      ),
  ).action(async (flags: { scenario: string; dataDir: string }) => {
    const { world } = loadWorldFlag(flags.scenario);
    const result = await traceWithProgress(world, flags.dataDir, io);
    io.out(describeTrace(result, flags.dataDir));
  });

  registerLabEval(lab, io);
  registerLabNetwork(lab, io);
}

/**
 * The scenario and the world it builds. Building checks what parsing cannot
 * (behaviors, their parameters, address blocks), so a bad scenario is refused
 * before anything is written.
 */
export function loadWorldFlag(nameOrPath: string): { world: World; path: string } {
  try {
    const { scenario, path } = resolveScenario(nameOrPath);
    return { world: buildWorld(scenario), path };
  } catch (error) {
    // A scenario's mistakes are the command line's: usage errors, with the scenario's hint.
    if (error instanceof ScenarioError) throw usageError(error.message, error.hint);
    throw error;
  }
}

export async function runLiveWithProgress(
  world: World,
  dataDir: string,
  io: CliIo,
): Promise<LiveRunResult> {
  const progress = createProgress(io, 'lab');
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    return await storeErrors(() =>
      runLive(world, dataDir, {
        signal: abort.signal,
        onStage: (stage, detail) => progress.note(`· ${stage}: ${detail}`),
        onProgress: (p) =>
          progress.update(
            p.doneMs,
            p.totalMs,
            `lab time ${formatDuration(p.doneMs)}/${formatDuration(p.totalMs)} · ${p.sent} datagrams, ${p.toSensor} to the sensor`,
          ),
      }),
    );
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`the live lab failed: ${(error as Error).message}`, {
      hint: 'the lab needs the 127.0.0.0/8 loopback block (Linux binds any 127.x.y.z)',
    });
  } finally {
    process.off('SIGINT', stop);
    progress.stop();
  }
}

export async function traceWithProgress(
  world: World,
  dataDir: string,
  io: CliIo,
): Promise<TraceResult> {
  const progress = createProgress(io, 'trace');
  try {
    return await storeErrors(() =>
      writeTrace(world, dataDir, {
        onProgress: (done, total, events) =>
          progress.update(
            done,
            total,
            `lab time ${formatDuration(done)}/${formatDuration(total)} · ${events} events`,
          ),
      }),
    );
  } finally {
    progress.stop();
  }
}

function describeLive(r: LiveRunResult, scenario: Scenario, dataDir: string): string {
  return [
    `live lab "${scenario.name}": ${formatDuration(r.doneMs)} of lab time at ${scenario.timeScale}x`,
    `  ${r.labNodes} DHT nodes (routing tables ${r.meanRoutingTable.toFixed(0)} contacts on average), ${r.sensorIdentities} sensor identities`,
    `  ${r.sent} datagrams sent by actors (${r.lost} lost on purpose), ${r.toSensor} to the sensor, ${r.answers} answers received`,
    `  sensor: ${r.sensorStatus}`,
    `  events and ground truth in ${dataDir}`,
    `  next: dhtscope lab eval --existing --data-dir ${dataDir}   (score the detectors on this run)`,
    `        dhtscope compute --data-dir ${dataDir} && dhtscope report --data-dir ${dataDir}`,
  ].join('\n');
}

function describeTrace(r: TraceResult, dataDir: string): string {
  return [
    `trace: ${r.events} events from ${r.plannedQueries} planned queries, ${r.from} → ${r.to}`,
    `  events and ground truth in ${dataDir}`,
    `  next: dhtscope lab eval --existing --data-dir ${dataDir}   (score the detectors on this trace)`,
    `        dhtscope compute --data-dir ${dataDir} && dhtscope report --data-dir ${dataDir}`,
  ].join('\n');
}

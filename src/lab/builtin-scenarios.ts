/**
 * The scenarios shipped with dhtscope (the `scenarios/` folder of the
 * package): `--scenario demo` finds `scenarios/demo.yaml`; anything that
 * looks like a path is read as a file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, type Scenario, ScenarioError } from './scenario.ts';

/** The same folder from src/lab and dist/lab. */
export const SCENARIO_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function builtinScenarioNames(): string[] {
  if (!existsSync(SCENARIO_DIR)) return [];
  return readdirSync(SCENARIO_DIR)
    .filter((name) => ['.yaml', '.yml', '.json'].includes(extname(name)))
    .map((name) => basename(name, extname(name)))
    .sort();
}

/** A built-in scenario by name, or a scenario file by path. */
export function resolveScenario(nameOrPath: string): { scenario: Scenario; path: string } {
  const looksLikePath = /[/\\]/.test(nameOrPath) || extname(nameOrPath) !== '';
  if (looksLikePath) return { scenario: loadScenario(nameOrPath), path: nameOrPath };
  for (const ext of ['.yaml', '.yml', '.json']) {
    const path = join(SCENARIO_DIR, `${nameOrPath}${ext}`);
    if (existsSync(path)) return { scenario: loadScenario(path), path };
  }
  throw new ScenarioError(
    `no built-in scenario "${nameOrPath}"`,
    `built-in: ${builtinScenarioNames().join(', ')}; or give a path to a .yaml or .json file`,
  );
}

/** Flags and start-up errors the two commands that run sensor identities (antenna, watch) share. */

import type { Command } from 'commander';
import { DhtTransportError } from '../dht/errors.ts';
import { EnrichmentConfigError } from '../enrich/index.ts';
import {
  type AntennaConfig,
  type AntennaConfigInput,
  ConfigError,
  type FlagNaming,
  RANGE,
  readConfigFile,
  resolveConfig,
} from '../sensor/config.ts';
import { CliError, usageError } from './errors.ts';
import { wholeFlag } from './flags.ts';

/** `--ports 6881,51413`; a port listed twice is refused by the schema, naming it. */
export function portsFlag(text: string): number[] {
  return text.split(',').map((p) => wholeFlag('--ports', p.trim(), ...RANGE.port));
}

/** `--ids-per-port 8`. */
export function idsPerPortFlag(text: string): number {
  return wholeFlag('--ids-per-port', text, ...RANGE.idsPerPort);
}

/**
 * The sensor's settings from the config file at `configPath` (if any) and the
 * flags (the flags win), a bad file or setting refused as a usage error that
 * names the flag of `command`.
 */
export function sensorConfig(
  configPath: string | undefined,
  flags: AntennaConfigInput,
  command: Command,
): AntennaConfig {
  try {
    const file = configPath === undefined ? {} : readConfigFile(configPath);
    const source = configPath === undefined ? 'command line' : `config file ${configPath}`;
    return resolveConfig(file, flags, source, flagNaming(command));
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(error.message, error.hint);
    throw error;
  }
}

/**
 * Why a sensor could not start, as a CLI error when the user can fix it: a
 * port or address the system refuses, an enrichment file it cannot use (exit
 * 1, as `map` and `ipinfo` give for the same file). Anything else is a bug.
 */
export function startError(error: unknown, bindHint: string): unknown {
  // Its message already ends with how to fix it.
  if (error instanceof EnrichmentConfigError) return new CliError(error.message);
  if (error instanceof DhtTransportError) return new CliError(error.message, { hint: bindHint });
  return error;
}

/**
 * The flags of `command` by the config keys they set: a key's last part is
 * the option's attribute (`idsPerPort` → --ids-per-port, `enrichment.overlay`
 * → --overlay); a key the command has no option for was set by its own code.
 */
function flagNaming(command: Command): FlagNaming {
  return {
    command: command.name(),
    flagOf: (key) =>
      command.options.find((o) => o.attributeName() === key.slice(key.lastIndexOf('.') + 1))?.long,
  };
}

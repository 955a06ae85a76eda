/** Parsers of command-line option values shared by the commands; bad values are usage errors. */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option } from 'commander';
import { usageError } from './errors.ts';

/** Repeatable option values. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--bootstrap`, repeatable, whose default (the public routers) help names in words. */
export function bootstrapOption(description: string): Option {
  return new Option('--bootstrap <host:port>', description)
    .argParser(collect)
    .default([], 'the public routers');
}

/** A whole number from `min` to `max`, written in decimal digits only. */
export function wholeFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max)
    throw usageError(`${flag} ${text} is not a whole number from ${min} to ${max}`);
  return value;
}

/**
 * A file a command will write, checked before the work that fills it: its
 * folder must exist and it must not be a folder itself. Returns the full path.
 */
export function outputFileFlag(flag: string, path: string): string {
  if (path.trim() === '') throw usageError(`${flag} is empty`, `give a file name after ${flag}`);
  const full = resolve(path);
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory() === true)
    throw usageError(`${flag} "${path}" is a directory`, 'give the name of a file to write');
  const folder = dirname(full);
  const stats = statSync(folder, { throwIfNoEntry: false });
  if (stats === undefined)
    throw usageError(`${flag} "${path}": there is no folder ${folder}`, 'create it first');
  if (!stats.isDirectory()) throw usageError(`${flag} "${path}": ${folder} is not a folder`);
  return full;
}

/** One output format: a command refuses --json with --csv rather than pick one silently. */
export function oneOutputFormat(flags: { json?: boolean; csv?: boolean }): void {
  if (flags.json === true && flags.csv === true)
    throw usageError('--json and --csv cannot be combined', 'choose one output format');
}

/** The flag an option attribute comes from: `maxRows` → `--max-rows`. */
export function flagName(attribute: string): string {
  return `--${attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Parsers of command-line option values shared by the commands; bad values are usage errors. */
import { Option } from 'commander';
import { usageError } from './errors.ts';

/** Repeatable option values. */
export function collect(value: string, previous: string[]): string[] {
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

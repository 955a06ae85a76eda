/** Parsers of command-line option values shared by the commands; bad values are usage errors. */
import { usageError } from './errors.ts';

/** Repeatable option values. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number from `min` to `max`, written in decimal digits only. */
export function wholeFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max)
    throw usageError(`${flag} ${text} is not a whole number from ${min} to ${max}`);
  return value;
}

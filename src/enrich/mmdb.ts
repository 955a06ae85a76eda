import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'mmdb-lib';
import { EnrichmentConfigError } from './errors.ts';

/**
 * Opens a MaxMind DB file with mmdb-lib. The whole file is read into memory
 * (mmdb-lib reads from a Buffer); records are decoded on each lookup.
 * `hint` says how to fix a missing or unreadable file.
 */
export function openMmdb(path: string, hint: string): Reader<Response> {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (cause as Error).message;
    throw new EnrichmentConfigError(
      `cannot read the MaxMind database (${reason})`,
      { file: path },
      hint,
    );
  }
  try {
    return new Reader<Response>(buffer);
  } catch (cause) {
    throw new EnrichmentConfigError(
      `not a MaxMind DB (.mmdb) file (${(cause as Error).message})`,
      { file: path },
      hint,
    );
  }
}

/** Decodes the record for an address, or undefined; never throws (a damaged record reads as none). */
export function mmdbRecord(reader: Reader<Response>, text: string): unknown {
  try {
    return reader.get(text) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `record.a.b…`, or undefined if any step is missing or not an object. */
export function pick(record: unknown, ...path: string[]): unknown {
  let value = record;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A non-empty string, else undefined (the flat city data writes "" for unknown). */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** An ISO 3166-1 alpha-2 code, upper-cased, else undefined. */
export function countryCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : undefined;
}

/**
 * A latitude/longitude pair, only if both are valid degrees, rounded to four
 * decimals (about 11 m): the built-in data stores 32-bit floats, so 37.751
 * would read back as 37.750999450683594, and MaxMind publishes no finer
 * precision than that anyway.
 */
export function coordinates(
  latitude: unknown,
  longitude: unknown,
): { latitude: number; longitude: number } | undefined {
  const lat = finiteNumber(latitude);
  const lon = finiteNumber(longitude);
  if (lat === undefined || lon === undefined) return undefined;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  return { latitude: round4(lat), longitude: round4(lon) };
}

function round4(degrees: number): number {
  return Math.round(degrees * 1e4) / 1e4;
}

/**
 * Parameter pieces the behaviors share, so every scenario file spells a
 * duration, a keyspace bound or a query method the same way.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.ts';

/** A duration written as scenario files write them ("90s", "30m", "1h"), parsed to milliseconds. */
export function durationParam(fallback: string, description: string) {
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a duration such as 500ms, 90s, 30m, 1h`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .describe(description);
}

/**
 * One end of a keyspace range: a hex prefix ("8", "96a", up to 40 digits;
 * the rest of the id is zeros) or a fraction of the keyspace (0 … 1).
 */
export function boundParam(fallback: string | number, description: string) {
  return z
    .union([
      z.string().regex(/^[0-9a-fA-F]{1,40}$/, 'a hex prefix such as 8 or 96a'),
      z.number().min(0).max(1),
    ])
    .default(fallback)
    .describe(description);
}

/** The lookup a crawler sends for each target. */
export function lookupMethodParam(description: string) {
  return z.enum(['get_peers', 'find_node']).default('get_peers').describe(description);
}

/** A share (0 … 1). */
export function shareParam(fallback: number, description: string) {
  return z.number().min(0).max(1).default(fallback).describe(description);
}

/** A positive whole number with a ceiling that keeps a plan finite. */
export function countParam(fallback: number, max: number, description: string) {
  return z.number().int().min(1).max(max).default(fallback).describe(description);
}

/** Parsing the time arguments of --since / --until. */
import { usageError } from './errors.ts';

const RELATIVE = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * An absolute UTC time (2026-11-21, 2026-11-21T14:00, any ISO 8601 form) or a
 * duration back from now (90m, 24h, 7d, 2w).
 */
export function parseTimeArgument(flag: string, text: string, nowMs: number): Date {
  const relative = RELATIVE.exec(text);
  // A duration reaching back before 1970 means "from the beginning": no store is older.
  if (relative !== null)
    return new Date(Math.max(0, nowMs - Number(relative[1]) * UNIT_MS[relative[2]!]!));
  const iso = /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(text)
    ? `${text}${text.includes('T') ? 'Z' : 'T00:00:00Z'}`
    : text;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    throw usageError(
      `${flag} "${text}" is not a time`,
      'use an ISO date or time in UTC (2026-11-21, 2026-11-21T14:00) or a duration back from now (90m, 24h, 7d)',
    );
  }
  return new Date(ms);
}

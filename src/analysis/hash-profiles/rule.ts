/**
 * What one hash label is: its thresholds (with defaults beside it, in its
 * own file) and two SQL expressions over the metric columns of
 * metrics.ts — when the label applies and the figures that made it apply.
 * Labels are evaluated in SQL because a store holds millions of infohashes;
 * the JavaScript side only assembles the query.
 */

export interface HashLabelRule<C extends Record<string, number>> {
  readonly label: string;
  /**
   * Counts toward the signal score. Everything but swarm_like does: a
   * swarm is ordinary content distribution, not a signal.
   */
  readonly anomalous: boolean;
  /** SQL boolean over the metric columns. */
  when(config: C): string;
  /** SQL text expression: the figures against the thresholds ("1,204 lookups ≥ 1,000, …"). */
  why(config: C): string;
}

/** A config value as an SQL literal; rejects what is not a finite number (config files are user input). */
export function num(value: number, name: string): string {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new RangeError(`hash_profiles: ${name} must be a finite number, got ${String(value)}`);
  return String(value);
}

/** A threshold as people read it: 1,000 and 0.6. */
export function shown(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

/** A share threshold as a percentage: 0.05 → "5 %". */
export function shownPercent(share: number): string {
  return `${(share * 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
}

/** SQL: a BIGINT column with thousands separators. */
export const countSql = (column: string) => `format('{:,}', ${column}::BIGINT)`;

/** SQL: a share column as a percentage with one decimal ("0.8 %"). */
export const percentSql = (column: string) => `printf('%.1f %%', 100 * ${column})`;

/** SQL: a score with two decimals. */
export const scoreSql = (column: string) => `printf('%.2f', ${column})`;

/** SQL text literal of a fixed string (our own text: no quotes inside, but escape anyway). */
export const text = (value: string) => `'${value.replaceAll("'", "''")}'`;

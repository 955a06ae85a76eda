/**
 * Operational failures of the store (a data directory that is not ours, one
 * made by a newer dhtscope, another writer holding it). Each says what is
 * wrong and how to fix it; the CLI shows both.
 */
export class StoreError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = 'StoreError';
    this.hint = hint;
  }
}

/**
 * DuckDB's words for a Parquet file of the store it cannot read (cut short, or
 * overwritten): the path it names, or undefined for any other error.
 */
const DAMAGED_PARQUET =
  /(?:No magic bytes found at end of file|Invalid Input Error: .*?file|IO Error: .*?file) '([^']+\.parquet)'/;

/**
 * A damaged file of the store as a StoreError that names it, so that the user
 * is told which file to set aside rather than shown a stack trace.
 */
export function damagedFileError(error: unknown): StoreError | undefined {
  const path = error instanceof Error ? DAMAGED_PARQUET.exec(error.message)?.[1] : undefined;
  if (path === undefined) return undefined;
  return new StoreError(
    `${path} is damaged and cannot be read (DuckDB: ${(error as Error).message.split('\n')[0]!.replace(` '${path}'`, '')})`,
    path.includes('/tables/')
      ? 'delete it: `dhtscope compute` writes the computed tables again'
      : 'move the file out of the data directory (or restore it from a backup): the rest of the store stays readable',
  );
}

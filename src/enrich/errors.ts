/**
 * A bad enrichment configuration: a MaxMind file that is missing or is not an
 * MMDB, an overlay line that cannot be read, a data package that is not
 * installed. Thrown when the enricher is built, never by a lookup: an address
 * that no source knows is an expected result (fields left `undefined`).
 */
export class EnrichmentConfigError extends Error {
  /** The file at fault, when there is one. */
  readonly file: string | undefined;
  /** 1-based line in `file` (or 1-based entry in an in-memory overlay), when known. */
  readonly line: number | undefined;
  /** One sentence telling the user how to fix it. */
  readonly hint: string;

  constructor(problem: string, where: { file?: string; line?: number }, hint: string) {
    const place =
      where.file === undefined
        ? ''
        : where.line === undefined
          ? `${where.file}: `
          : `${where.file}:${where.line}: `;
    super(`${place}${problem}. ${hint}`);
    this.name = 'EnrichmentConfigError';
    this.file = where.file;
    this.line = where.line;
    this.hint = hint;
  }
}

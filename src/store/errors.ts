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

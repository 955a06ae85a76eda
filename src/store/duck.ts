/**
 * A thin wrapper over an in-memory DuckDB. The store never keeps a DuckDB
 * database file: every process opens its own in-memory engine over the
 * Parquet and journal files, so there is no lock for readers and writers to
 * contend for.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export class Duck {
  private readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.instance = instance;
    this.connection = connection;
  }

  static async open(options: { threads?: number; memoryLimit?: string } = {}): Promise<Duck> {
    const config: Record<string, string> = {};
    if (options.threads !== undefined) config.threads = String(options.threads);
    if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
    const instance = await DuckDBInstance.create(':memory:', config);
    return new Duck(instance, await instance.connect());
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Rows as plain JS objects (BIGINT as bigint, TIMESTAMP as Date). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Column names and rows as JSON-safe values (for --json and --csv output). */
  async table(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    const reader = await this.connection.runAndReadAll(sql);
    return {
      columns: reader.columnNames(),
      rows: reader.getRowObjectsJson() as Record<string, unknown>[],
    };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

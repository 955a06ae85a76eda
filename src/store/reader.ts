/**
 * Read access for `sql`, `export`, `compute` and `report`: an in-memory
 * DuckDB with one view per dataset and table, always over the files as they
 * are when the query starts (Parquet parts plus the journals not yet
 * rotated, so the freshest rows are included). Readers take no lock and a
 * running writer never blocks them.
 */
import { existsSync } from 'node:fs';
import { DATASETS, type Dataset } from './datasets.ts';
import { Duck } from './duck.ts';
import { filesToRead } from './files.ts';
import { emptySelectSql, journalSelectSql, sqlString } from './journal-format.ts';
import { type DataLayout, openDataDir } from './layout.ts';
import { SQL_TYPES } from './schema.ts';
import { TABLES } from './tables.ts';

/** Names the source documents' users know, kept as aliases. */
const ALIASES: Readonly<Record<string, string>> = { dht_events: 'events' };

/** Every view a query can name, aliases beside what they stand for, for help and hints. */
export function viewNamesText(): string {
  const aliasesOf = (name: string) =>
    Object.entries(ALIASES)
      .filter(([, target]) => target === name)
      .map(([alias]) => ` (alias ${alias})`)
      .join('');
  return [...DATASETS, ...TABLES].map((v) => `${v.name}${aliasesOf(v.name)}`).join(', ');
}

/** A rotation can move a file between listing and reading it; then the query is run again. */
const MAX_ATTEMPTS = 5;

export class StoreReader {
  readonly layout: DataLayout;
  readonly duck: Duck;

  private constructor(layout: DataLayout, duck: Duck) {
    this.layout = layout;
    this.duck = duck;
  }

  /** `threads` caps DuckDB's worker threads (default: one per core). */
  static async open(dataDir: string, options: { threads?: number } = {}): Promise<StoreReader> {
    const layout = openDataDir(dataDir, { create: false });
    return new StoreReader(layout, await Duck.open(options));
  }

  /** (Re)defines every view over the files present now. */
  async refreshViews(): Promise<void> {
    for (const dataset of DATASETS) {
      await this.duck.run(
        `CREATE OR REPLACE VIEW ${dataset.name} AS ${datasetSelectSql(this.layout, dataset)}`,
      );
    }
    for (const table of TABLES) {
      const file = this.layout.tableFile(table.name);
      if (!existsSync(file)) {
        await this.duck.run(
          `CREATE OR REPLACE VIEW ${table.name} AS ${emptySelectSql(table.columns)}`,
        );
        continue;
      }
      const from = `read_parquet(${sqlString(file)})`;
      try {
        await this.duck.run(
          `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${table.columns.map((c) => c.name).join(', ')} FROM ${from}`,
        );
      } catch {
        // Written by an earlier dhtscope, before a column was added: the missing
        // columns read as NULL until `compute` writes the table again.
        const present = new Set(
          (await this.duck.rows(`DESCRIBE SELECT * FROM ${from}`)).map((r) =>
            String(r.column_name),
          ),
        );
        const columns = table.columns.map((c) =>
          present.has(c.name) ? c.name : `CAST(NULL AS ${SQL_TYPES[c.type]}) AS ${c.name}`,
        );
        await this.duck.run(
          `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${columns.join(', ')} FROM ${from}`,
        );
      }
    }
    for (const [alias, target] of Object.entries(ALIASES)) {
      await this.duck.run(`CREATE OR REPLACE VIEW ${alias} AS SELECT * FROM ${target}`);
    }
  }

  /**
   * Runs `work` against fresh views, again if a file vanished underneath it
   * (a rotation or retention finished meanwhile).
   */
  async withFreshViews<T>(work: (duck: Duck) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.refreshViews();
        return await work(this.duck);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isVanishedFile(error)) throw error;
      }
    }
  }

  /** How many SQL statements `sql` holds (DuckDB's parser splits them); throws on bad syntax. */
  async statementCount(sql: string): Promise<number> {
    try {
      return (await this.duck.connection.extractStatements(sql)).count;
    } catch (error) {
      // The bindings fail with this bare message on text that holds no statement (only
      // comments or blanks); a syntax error says "Failed to extract statements: …".
      if ((error as Error).message === 'Error in native callback') return 0;
      throw error;
    }
  }

  async query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    return this.withFreshViews((duck) => duck.table(sql));
  }

  close(): void {
    this.duck.close();
  }
}

export function datasetSelectSql(layout: DataLayout, dataset: Dataset): string {
  const { parts, journals } = filesToRead(layout, dataset);
  const names = dataset.columns.map((c) => c.name).join(', ');
  const selects: string[] = [];
  if (parts.length > 0)
    selects.push(`SELECT ${names} FROM read_parquet([${parts.map(sqlString).join(', ')}])`);
  if (journals.length > 0) selects.push(journalSelectSql(dataset.columns, journals));
  if (selects.length === 0) selects.push(emptySelectSql(dataset.columns));
  return selects.join(' UNION ALL ');
}

function isVanishedFile(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /No files found|No such file|does not exist|Cannot open file|could not open|IO Error/i.test(
    message,
  );
}

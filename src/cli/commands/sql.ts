import type { Command } from 'commander';
import { resultAsCsv, resultAsJson, resultAsTable } from '../../report/query-result.ts';
import { StoreReader, viewNamesText } from '../../store/index.ts';
import { addDataDirOption } from '../data-dir.ts';
import { CliError, usageError } from '../errors.ts';
import { oneOutputFormat } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { storeErrors } from '../store-errors.ts';

interface SqlFlags {
  dataDir: string;
  json?: boolean;
  csv?: boolean;
  maxRows: string;
}

export function registerSql(program: Command, io: CliIo): void {
  const command = program
    .command('sql')
    .description('run a DuckDB SQL query over the store (safe while a sensor writes)')
    .argument('<query>', 'SQL, e.g. "SELECT kind, count(*) FROM events GROUP BY kind"')
    .option('--json', 'print rows as a JSON array of objects')
    .option('--csv', 'print rows as CSV with a header line')
    .option('--max-rows <n>', 'rows shown in the terminal table', '200')
    .addHelpText(
      'after',
      `\nViews: ${viewNamesText()}.\nSee docs/data-directory.md for every column.\n\nExample:\n  dhtscope sql "SELECT remote_ip, count(*) AS n FROM events WHERE kind = 'get_peers' GROUP BY 1 ORDER BY n DESC LIMIT 10"`,
    );
  addDataDirOption(command).action(async (query: string, flags: SqlFlags) => {
    oneOutputFormat(flags);
    const maxRows = Number(flags.maxRows);
    if (!Number.isInteger(maxRows) || maxRows < 1)
      throw usageError(`--max-rows "${flags.maxRows}" is not a positive integer`);
    const reader = await storeErrors(() => StoreReader.open(flags.dataDir));
    try {
      const failed = (error: unknown) => {
        const reason = (error as Error).message.replace(/^Failed to extract statements: /, '');
        throw new CliError(`query failed: ${reason}`, {
          hint: `views are ${viewNamesText()}; see dhtscope sql --help`,
        });
      };
      // Only the last statement's rows would be shown: ask for one, rather than drop the rest.
      const statements = await reader.statementCount(query).catch(failed);
      if (statements === 0)
        throw usageError('the query is empty', 'e.g. dhtscope sql "SELECT count(*) FROM events"');
      if (statements > 1)
        throw usageError(
          `the query holds ${statements} statements`,
          'give one statement at a time',
        );
      const result = await reader.query(query).catch(failed);
      if (flags.json === true) io.out(resultAsJson(result));
      else if (flags.csv === true) io.out(resultAsCsv(result));
      else io.out(resultAsTable(result, maxRows));
    } finally {
      reader.close();
    }
  });
}

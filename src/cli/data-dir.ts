/** The `--data-dir` option shared by every command that reads or writes the store. */
import { type Command, Option } from 'commander';

export const DEFAULT_DATA_DIR = 'dhtscope-data';

export function addDataDirOption(command: Command): Command {
  return command.addOption(
    new Option('--data-dir <path>', 'data directory of the store')
      .env('DHTSCOPE_DATA_DIR')
      .default(DEFAULT_DATA_DIR),
  );
}

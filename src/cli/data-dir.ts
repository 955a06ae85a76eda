/** The `--data-dir` option shared by every command that reads or writes the store. */
import { type Command, InvalidArgumentError, Option } from 'commander';

export const DEFAULT_DATA_DIR = 'dhtscope-data';

export function addDataDirOption(command: Command): Command {
  return command.addOption(
    new Option('--data-dir <path>', 'data directory of the store')
      .env('DHTSCOPE_DATA_DIR')
      .default(DEFAULT_DATA_DIR)
      // An empty value (DHTSCOPE_DATA_DIR= in a script) would mean the working directory.
      .argParser((path) => {
        if (path.trim() === '') throw new InvalidArgumentError('it is empty; name a folder');
        return path;
      }),
  );
}

/** Runs the CLI in-process with captured output, colours stripped. */
import { stripVTControlCharacters } from 'node:util';
import { run } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  argv: string[],
  stdin: Uint8Array = new Uint8Array(),
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    out: (text) => {
      stdout += `${text}\n`;
    },
    err: (text) => {
      stderr += `${text}\n`;
    },
    readStdin: async () => stdin,
  });
  return {
    code,
    stdout: stripVTControlCharacters(stdout),
    stderr: stripVTControlCharacters(stderr),
  };
}

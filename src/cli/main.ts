/**
 * The `dhtscope` entry point: builds the command tree, runs one command and
 * turns what it threw into an exit code and a clear message.
 */
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { damagedFileError } from '../store/errors.ts';
import { COMMANDS } from './commands/registry.ts';
import { CliError, EXIT } from './errors.ts';
import { type CliIo, processIo } from './io.ts';
import { VERSION } from './version.ts';

/**
 * The command tree: every command, or only `only` (a run of one command
 * needs no other command's modules loaded).
 */
export async function buildProgram(io: CliIo, only?: string): Promise<Command> {
  const program = new Command('dhtscope')
    .description('An observatory for the BitTorrent Mainline DHT.')
    .version(VERSION, '-V, --version', 'print the dhtscope version')
    .helpOption('-h, --help', 'show help for dhtscope or a command')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nConventions:\n  --json     commands that print results accept --json for machine-readable output\n\nRun "dhtscope <command> --help" for the options of one command.',
    );
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => io.out(text.trimEnd()),
    writeErr: (text) => io.err(text.trimEnd()),
  });
  const wanted = COMMANDS.filter((c) => only === undefined || c.name === only);
  for (const register of await Promise.all(wanted.map((c) => c.load()))) register(program, io);
  // A command built with `new Command` and added with addCommand inherits nothing: it would
  // exit the process itself on a bad option (code 1, not 2) and word its help differently.
  // Every command, at any depth, takes the program's error handling, output and help.
  const inherit = (parent: Command): void => {
    for (const command of parent.commands) {
      command.copyInheritedSettings(parent);
      inherit(command);
    }
  };
  inherit(program);
  return program;
}

/** A name no command has: `buildProgram` then loads none. */
const NO_COMMAND = '';

/** Runs the CLI and resolves to the process exit code. Never throws. */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) endQuietlyOnClosedPipe();
  // `help nosuch` would print the program's help as if asked for it: say what is unknown.
  if (argv[0] === 'help' && argv[1] !== undefined && !COMMANDS.some((c) => c.name === argv[1]))
    argv = argv.slice(1, 2);
  // Help and a misspelt command (which gets suggestions) need every command; the version, none.
  const versionOnly = argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V');
  const named = versionOnly ? NO_COMMAND : COMMANDS.find((c) => c.name === argv[0])?.name;
  const program = await buildProgram(io, named);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return report(error, io);
  }
}

/**
 * A reader that stops early (`dhtscope pcap conns big.pcap | head`) closes
 * the pipe: stop there without a stack trace, as command-line tools do.
 */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Help and version "errors" are how commander stops after printing them.
    if (error.exitCode === 0) return EXIT.ok;
    // Commander already printed its message; add nothing but the exit code.
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    io.err(`${pc.red('error:')} ${error.message}`);
    if (error.hint !== undefined) io.err(`${pc.dim('hint:')} ${error.hint}`);
    return error.exitCode;
  }
  // A damaged file in the store is bad input, whichever command read it.
  const damaged = damagedFileError(error);
  if (damaged !== undefined)
    return report(new CliError(damaged.message, { hint: damaged.hint! }), io);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`${pc.red('internal error')} (a bug in dhtscope; please report it):\n${detail}`);
  return EXIT.internal;
}

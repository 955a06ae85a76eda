/**
 * The one error type the CLI turns into an exit code and a message. Anything
 * else that escapes a command is a bug and is reported as one.
 */
export const EXIT = {
  ok: 0,
  /** The command ran but what it was given or found is bad (e.g. a datagram that is not KRPC). */
  failure: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** An unexpected internal error: a bug. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** One line telling the user how to fix it. */
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: ExitCode; hint?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(
    message,
    hint === undefined ? { exitCode: EXIT.usage } : { exitCode: EXIT.usage, hint },
  );
}

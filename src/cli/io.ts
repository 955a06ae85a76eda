/** Where commands write. Injected so tests can run the CLI in-process and read what it printed. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads all of standard input (for `-` arguments). */
  readStdin(): Promise<Uint8Array>;
  /** True only in the real `dhtscope` process: it may replace itself (execve), never a test's. */
  mayReplaceProcess?: boolean;
}

export const processIo: CliIo = {
  mayReplaceProcess: true,
  out: (text) => {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  },
  err: (text) => {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  },
};

/** Opening the active tools' nodes from their common flags (lookup, estimate, crawl). */
import type { PolitenessOptions } from '../active/politeness.ts';
import { type ActiveSetup, openActive } from '../active/setup.ts';
import { CliError, usageError } from './errors.ts';

/** Opens the active tool's nodes, turning bad input and bind failures into CLI errors. */
export async function openSetup(
  flags: { bootstrap: string[]; bind: string; bind6?: string },
  timeoutMs: number,
  politeness?: Partial<PolitenessOptions>,
): Promise<ActiveSetup> {
  let opened: Awaited<ReturnType<typeof openActive>>;
  try {
    opened = await openActive({
      bootstrap: flags.bootstrap,
      bind: flags.bind,
      ...(flags.bind6 === undefined ? {} : { bind6: flags.bind6 }),
      timeoutMs,
      ...(politeness === undefined ? {} : { politeness }),
    });
  } catch (error) {
    throw new CliError(`cannot open a UDP socket: ${(error as Error).message}`, {
      hint: 'check --bind / --bind6',
    });
  }
  if (!opened.ok)
    throw usageError(opened.reason, 'give --bootstrap host:port, e.g. 127.42.0.1:6881');
  return opened.setup;
}

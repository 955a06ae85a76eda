import type { Command } from 'commander';
import { protocolTour, TOUR_DEFAULTS } from '../../report/protocol-tour.ts';
import { usageError } from '../errors.ts';
import type { CliIo } from '../io.ts';

interface TourFlags {
  seed: string;
}

export function registerTour(program: Command, io: CliIo): void {
  program
    .command('tour')
    .description('a guided tour of the DHT wire protocol, computed on the spot (no network)')
    .option('--seed <n>', 'seed for the ids and addresses in the tour', String(TOUR_DEFAULTS.seed))
    .action((flags: TourFlags) => {
      const seed = Number(flags.seed);
      if (flags.seed.trim() === '' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw usageError(`--seed "${flags.seed}" is not an integer in 0..4294967295`);
      }
      io.out(protocolTour({ ...TOUR_DEFAULTS, seed }).join('\n\n'));
      io.out(
        '\nNext: decode a datagram yourself with "dhtscope decode <hex>", or see "dhtscope --help".',
      );
    });
}

import { Command } from 'commander';
import pc from 'picocolors';
import { ESTIMATE_DEFAULTS, estimateSize } from '../../active/estimate.ts';
import { activeNotice } from '../../active/notice.ts';
import { withThousands } from '../../report/numbers.ts';
import { openSetup } from '../active-setup.ts';
import { CliError } from '../errors.ts';
import { bootstrapOption, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';

interface EstimateFlags {
  bootstrap: string[];
  bind: string;
  lookups: string;
  k: string;
  timeout: string;
  json?: boolean;
}

export function registerEstimate(program: Command, io: CliIo): void {
  program.addCommand(
    new Command('estimate')
      .description(
        'estimate the DHT size from the id density of random lookups (active: sends queries)',
      )
      .addOption(bootstrapOption('start from this node, repeatable'))
      .option('--bind <address>', 'local IPv4 address to send from', '0.0.0.0')
      .option('--lookups <n>', 'random-target lookups', String(ESTIMATE_DEFAULTS.lookups))
      .option(
        '--k <n>',
        'closest nodes each lookup finds; the estimate uses the k-th',
        String(ESTIMATE_DEFAULTS.k),
      )
      .option('--timeout <ms>', 'how long to wait for one answer', '2000')
      .option('--json', 'print the estimate as JSON')
      .addHelpText(
        'after',
        '\nExample:\n  dhtscope estimate --bootstrap 127.42.0.1:6881 --lookups 64',
      )
      .action(async (flags: EstimateFlags) => {
        const lookups = wholeFlag('--lookups', flags.lookups, 2, 100_000);
        const k = wholeFlag('--k', flags.k, 2, 64);
        const timeoutMs = wholeFlag('--timeout', flags.timeout, 50, 60_000);
        io.err(pc.yellow(activeNotice('estimate', 'find_node')));
        const setup = await openSetup({ ...flags, bootstrap: flags.bootstrap }, timeoutMs);
        const querier = setup.queriers[4] ?? setup.queriers[6]!;
        const progress = createProgress(io, 'estimate');
        let result: Awaited<ReturnType<typeof estimateSize>>;
        try {
          result = await estimateSize({
            querier,
            bootstrap: setup.bootstrap,
            lookups,
            k,
            onLookup: (done, total, estimate) =>
              progress.update(
                done,
                total,
                `${done} lookups · about ${withThousands(Math.round(estimate))} nodes`,
              ),
          });
        } finally {
          progress.stop();
          await setup.close();
        }
        if (result.lookups < 2)
          throw new CliError(
            `only ${result.lookups} lookups found ${k} nodes: too few to estimate`,
            {
              hint: 'check --bootstrap, or lower --k for a very small network',
            },
          );
        const round = (x: number) => Math.round(x);
        if (flags.json === true) {
          io.out(
            JSON.stringify({
              estimate: round(result.estimate),
              low: round(result.low),
              high: round(result.high),
              confidence: 0.95,
              lookups: result.lookups,
              k: result.k,
              queried: result.queried,
              perLookup: result.perLookup.map(round),
            }),
          );
        } else {
          const n = (x: number) => withThousands(round(x));
          io.out(
            `about ${n(result.estimate)} nodes (95 % confidence ${n(result.low)} … ${n(result.high)}) from ${result.lookups} lookups, the ${result.k}th closest id each · ${result.queried} queries`,
          );
        }
      }),
  );
}

import Table from 'cli-table3';
import { Command } from 'commander';
import pc from 'picocolors';
import { InfohashWatch, type WatchedInfohash } from '../../active/watch.ts';
import { Antenna } from '../../sensor/antenna.ts';
import type { AntennaConfigInput } from '../../sensor/config.ts';
import { createLogger } from '../../sensor/log.ts';
import { addDataDirOption } from '../data-dir.ts';
import { bootstrapOption, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { idsPerPortFlag, portsFlag, sensorConfig, startError } from '../sensor-flags.ts';
import { storeErrors } from '../store-errors.ts';
import { MAX_DURATION_SECONDS, untilStopped } from '../wait.ts';

interface WatchFlags {
  dataDir: string;
  bind?: string;
  ports?: string;
  idsPerPort?: string;
  bootstrap: string[];
  top: string;
  duration?: string;
  json?: boolean;
}

export function registerWatch(program: Command, io: CliIo): void {
  const command = new Command('watch')
    .description(
      'join the DHT as the sensor does and show, live, the infohashes searched and announced around it',
    )
    .addOption(bootstrapOption('join through this node, repeatable'))
    .option('--bind <address>', 'local address of the identities (default 0.0.0.0)')
    .option(
      '--ports <list>',
      'UDP ports of the identities, comma-separated (default as the antenna)',
    )
    .option('--ids-per-port <n>', 'node ids per port (default as the antenna)')
    .option('--top <n>', 'rows of the live top list on a terminal', '20')
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C)')
    .option('--json', 'one JSON line per new infohash (instead of text)')
    .addHelpText(
      'after',
      '\nOn a terminal: a top list refreshed every second. Piped: one line per new infohash.\nEvents are recorded into the data directory like the antenna records them.\n\nExample:\n  dhtscope watch --bootstrap 127.42.0.1:6881 --ports 7881',
    );
  addDataDirOption(command);
  program.addCommand(
    command.action(async (flags: WatchFlags) => {
      const top = wholeFlag('--top', flags.top, 1, 1000);
      const duration =
        flags.duration === undefined
          ? undefined
          : wholeFlag('--duration', flags.duration, 1, MAX_DURATION_SECONDS);
      const input: AntennaConfigInput = {
        dataDir: flags.dataDir,
        writerId: 'watch',
        logLevel: 'warn',
      };
      if (flags.bind !== undefined) input.bind = flags.bind;
      if (flags.ports !== undefined) input.ports = portsFlag(flags.ports);
      if (flags.idsPerPort !== undefined) input.idsPerPort = idsPerPortFlag(flags.idsPerPort);
      if (flags.bootstrap.length > 0) input.bootstrap = flags.bootstrap;
      const config = sensorConfig(undefined, input, command);
      const interactive =
        io.mayReplaceProcess === true && process.stdout.isTTY === true && flags.json !== true;
      const watch = new InfohashWatch();
      io.err(
        pc.dim(
          'dhtscope watch: passive identities (the sensor); it records events and sends no get_peers or announce_peer',
        ),
      );
      const antenna = await storeErrors(() =>
        Antenna.start(config, {
          log: createLogger('warn'),
          onEvent: (event) => {
            const seen = watch.record(event);
            if (seen === undefined || !seen.news || interactive) return;
            io.out(
              flags.json === true
                ? JSON.stringify({ ...seen.update.entry, kind: seen.update.kind })
                : newsLine(seen.update.kind, seen.update.entry),
            );
          },
        }).catch((error: unknown) => {
          throw startError(error, 'choose other ports with --ports, or --bind');
        }),
      );
      const refresh = interactive
        ? setInterval(
            () => process.stdout.write(`\x1b[H\x1b[2J${topTable(watch.top(top), watch.size)}\n`),
            1000,
          )
        : undefined;
      await untilStopped(duration);
      if (refresh !== undefined) clearInterval(refresh);
      await antenna.stop();
      if (flags.json !== true)
        io.err(
          `watch stopped: ${watch.size} infohashes heard; the events are in ${config.dataDir}`,
        );
    }),
  );
}

function newsLine(kind: 'search' | 'announce', e: WatchedInfohash): string {
  const asn = e.lastAsn === undefined ? '' : ` AS${e.lastAsn}`;
  return `${new Date(e.lastSeen).toISOString()}  ${e.infohash}  ${kind.padEnd(8)}  from ${e.lastSource}${asn}`;
}

function topTable(rows: readonly WatchedInfohash[], total: number): string {
  const table = new Table({
    head: ['infohash', 'searches', 'announces', 'sources', 'last seen', 'last source'],
  });
  for (const r of rows)
    table.push([
      r.infohash,
      r.searches,
      r.announces,
      r.sources,
      new Date(r.lastSeen).toISOString().slice(11, 19),
      r.lastSource,
    ]);
  return `${pc.bold(`dhtscope watch`)} · ${total} infohashes heard · Ctrl-C stops\n${table.toString()}`;
}

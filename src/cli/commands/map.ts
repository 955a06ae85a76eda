import { existsSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import type { Enricher } from '../../enrich/index.ts';
import { labOverlayPath } from '../../lab/overlay-file.ts';
import {
  dotsAtEnd,
  MAP_DEFAULTS,
  MAP_SOURCES,
  type MapPageOptions,
  type MapSource,
  readPageData,
  renderMapPage,
  startMapServer,
} from '../../report/map/index.ts';
import { StoreReader } from '../../store/reader.ts';
import { addDataDirOption } from '../data-dir.ts';
import { enricherFromFlags } from '../enrichment.ts';
import { CliError, usageError } from '../errors.ts';
import { flagName, outputFileFlag, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { storeErrors } from '../store-errors.ts';
import { untilStopped } from '../wait.ts';

interface MapFlags {
  dataDir: string;
  out: string;
  source: MapSource;
  halfLifeMin: string;
  cutoffHours: string;
  live?: boolean;
  refreshSec: string;
  port: string;
  host: string;
  overlay?: string;
  maxmindAsn?: string;
  maxmindCity?: string;
}

export function registerMap(program: Command, io: CliIo): void {
  const command = new Command('map')
    .description(
      'crawled and observed nodes on a world map, coloured by ASN: one self-contained HTML file',
    )
    .option('--out <file>', 'where the HTML file goes (not with --live)', 'map.html')
    .addOption(
      new Option('--source <source>', 'nodes from crawl snapshots, the antenna’s events, or both')
        .choices(MAP_SOURCES)
        .default('both'),
    )
    .option(
      '--half-life-min <minutes>',
      'a dot’s opacity halves every this many minutes since the node was last seen',
      String(MAP_DEFAULTS.halfLifeMinutes),
    )
    .option(
      '--cutoff-hours <hours>',
      'nodes unseen for longer are not drawn',
      String(MAP_DEFAULTS.cutoffHours),
    )
    .option('--live', 'serve the map on this machine and refresh it from the store while it grows')
    .option(
      '--refresh-sec <seconds>',
      'with --live: how often the map reloads its data',
      String(MAP_DEFAULTS.refreshSeconds),
    )
    .addOption(
      new Option('--port <port>', 'with --live: port of the map (printed)').default(
        '0',
        'any free one',
      ),
    )
    .option('--host <address>', 'with --live: address the map listens on', '127.0.0.1')
    .option(
      '--overlay <file>',
      'overlay CSV placing addresses (default: the lab’s, if the data directory has one)',
    )
    .option('--maxmind-asn <file>', 'your GeoLite2-ASN .mmdb')
    .option('--maxmind-city <file>', 'your GeoLite2-City .mmdb, to place observed addresses')
    .addHelpText(
      'after',
      '\nExamples:\n  dhtscope map --data-dir lab-crawl --out lab-map.html\n  dhtscope map --source observed --half-life-min 30 --cutoff-hours 12\n  dhtscope map --live --refresh-sec 5',
    );
  addDataDirOption(command);
  program.addCommand(
    command.action(async (flags: MapFlags) => {
      checkLiveFlags(command, flags.live === true);
      if (flags.live !== true) outputFileFlag('--out', flags.out);
      const page: MapPageOptions = {
        halfLifeMinutes: positive('--half-life-min', flags.halfLifeMin, 0, 525_600),
        cutoffHours: positive('--cutoff-hours', flags.cutoffHours, 0, 87_600),
        live: flags.live === true,
        refreshSeconds: positive('--refresh-sec', flags.refreshSec, 1, 86_400),
      };
      const port = wholeFlag('--port', flags.port, 0, 65_535);
      const reader = await storeErrors(() => StoreReader.open(flags.dataDir));
      try {
        const enricher = openEnricher(flags, reader.layout.root);
        const read = () =>
          storeErrors(() =>
            readPageData(reader, { source: flags.source, enricher, live: page.live }),
          );
        if (page.live) {
          await serve(io, flags, port, page, read);
          return;
        }
        const data = await read();
        if (data.nodes.length === 0 && data.unplaced === 0)
          throw new CliError(`no nodes to draw: the store in ${reader.layout.root} has none`, {
            hint:
              flags.source === 'observed'
                ? 'run `dhtscope antenna` into this --data-dir first'
                : 'run `dhtscope crawl` into this --data-dir first (or try --source observed)',
          });
        const html = renderMapPage(data, page);
        writeFileSync(flags.out, html);
        io.err(
          `${data.nodes.length} addresses placed, ${dotsAtEnd(data, page)} seen within ${page.cutoffHours} h of the last sighting` +
            (data.snapshots.length > 0
              ? `, ${data.snapshots.length} crawl snapshot${data.snapshots.length === 1 ? '' : 's'}`
              : '') +
            (data.dropped > 0 ? `; ${data.dropped} seen earlier left out` : ''),
        );
        if (data.unplaced > 0)
          io.err(
            pc.yellow(
              `${data.unplaced} addresses have no coordinates and are not drawn: give --overlay or --maxmind-city`,
            ),
          );
        io.out(`map written to ${flags.out} (${Math.round(html.length / 1024)} kB)`);
      } finally {
        reader.close();
      }
    }),
  );
}

function positive(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value < min || value > max)
    throw usageError(`${flag} ${text} must be a number above ${min} and at most ${max}`);
  return value;
}

function openEnricher(flags: MapFlags, dataDir: string): Enricher {
  // A lab run or trace leaves its overlay in the data directory: its addresses are placed by it.
  const labOverlay = labOverlayPath(dataDir);
  const overlay = flags.overlay ?? (existsSync(labOverlay) ? labOverlay : undefined);
  return enricherFromFlags({ ...flags, overlay });
}

async function serve(
  io: CliIo,
  flags: MapFlags,
  port: number,
  page: MapPageOptions,
  read: () => ReturnType<typeof readPageData>,
): Promise<void> {
  let server: Awaited<ReturnType<typeof startMapServer>>;
  try {
    server = await startMapServer({
      host: flags.host,
      port,
      page: async () => renderMapPage(await read(), page),
      data: read,
      onError: (error) => io.err(pc.red(`reading the store failed: ${(error as Error).message}`)),
    });
  } catch (error) {
    // In use or forbidden is the port's fault; an address not found or not here, the host's.
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot listen on ${flags.host}:${port}: ${(error as Error).message}`, {
      hint:
        code === 'EADDRINUSE' || code === 'EACCES'
          ? 'choose another --port, or leave it out for any free one'
          : 'give --host an address of this machine, e.g. 127.0.0.1 or ::1',
    });
  }
  io.err(
    `live map on ${server.url} (refreshing every ${page.refreshSeconds} s from ${flags.dataDir}); Ctrl-C stops`,
  );
  await untilStopped();
  await server.close();
}

/** Flags that only mean something with --live (or only without it), refused where they would be ignored. */
function checkLiveFlags(command: Command, live: boolean): void {
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';
  if (!live) {
    const liveOnly = ['refreshSec', 'port', 'host'].filter(given);
    if (liveOnly.length > 0) {
      const names = liveOnly.map(flagName);
      throw usageError(`${names.join(' and ')} go${names.length === 1 ? 'es' : ''} with --live`);
    }
  } else if (given('out')) {
    throw usageError('--out writes a file, --live serves the map: choose one');
  }
}

import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import { type GraphFormat, renderGraph } from '../../active/crawl-graph.ts';
import { type CrawlCounts, emptySnapshot } from '../../active/crawl-model.ts';
import { CrawlStore } from '../../active/crawl-store.ts';
import { CRAWL_DEFAULTS, crawl } from '../../active/crawler.ts';
import { activeNotice } from '../../active/notice.ts';
import { BAN_THRESHOLD_PER_SECOND, POLITENESS_DEFAULTS } from '../../active/politeness.ts';
import { openSetup } from '../active-setup.ts';
import { addDataDirOption } from '../data-dir.ts';
import { enricherFromFlags } from '../enrichment.ts';
import { CliError, usageError } from '../errors.ts';
import { bootstrapOption, outputFileFlag, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { storeErrors } from '../store-errors.ts';

interface CrawlFlags {
  bootstrap: string[];
  bind: string;
  bind6?: string;
  dataDir: string;
  rate: string;
  perAddress: string;
  concurrency: string;
  maxNodes: string;
  timeout: string;
  sampleInfohashes?: boolean;
  maxSampleWait: string;
  fresh?: boolean;
  every?: string;
  export?: GraphFormat;
  out?: string;
  overlay?: string;
  maxmindAsn?: string;
  maxmindCity?: string;
  json?: boolean;
}

export function registerCrawl(program: Command, io: CliIo): void {
  const command = new Command('crawl')
    .description(
      'map the DHT: a polite recursive find_node crawl into the store (active: sends queries)',
    )
    .addOption(bootstrapOption('start from this node, repeatable'))
    .option('--bind <address>', 'local IPv4 address to send from', '0.0.0.0')
    .option('--bind6 <address>', 'also crawl IPv6 from this local address (BEP 32)')
    .option('--rate <packets/s>', 'packets per second in all', String(POLITENESS_DEFAULTS.global))
    .option(
      '--per-address <packets/s>',
      `packets per second to one address (below libtorrent's ban at ~${BAN_THRESHOLD_PER_SECOND})`,
      String(POLITENESS_DEFAULTS.perAddress),
    )
    .option('--concurrency <n>', 'nodes walked at once', String(CRAWL_DEFAULTS.concurrency))
    .option('--max-nodes <n>', 'stop adding nodes past this many', String(CRAWL_DEFAULTS.maxNodes))
    .option('--timeout <ms>', 'how long to wait for one answer', '2000')
    .option('--sample-infohashes', 'also ask every node for BEP 51 samples, honouring its interval')
    .option(
      '--max-sample-wait <seconds>',
      'sample a node again only if its interval is at most this',
      String(CRAWL_DEFAULTS.maxSampleWaitSeconds),
    )
    .option('--fresh', 'discard an interrupted crawl instead of resuming it')
    .option('--every <minutes>', 'crawl again this long after each snapshot, until Ctrl-C')
    .addOption(
      new Option('--export <format>', 'also write the crawl as a graph').choices([
        'graphml',
        'json',
      ]),
    )
    .option('--out <file>', 'where --export writes')
    .option('--overlay <file>', 'overlay CSV for enrichment (see docs/enrichment.md)')
    .option('--maxmind-asn <file>', 'your GeoLite2-ASN .mmdb')
    .option('--maxmind-city <file>', 'your GeoLite2-City .mmdb')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  dhtscope crawl --bootstrap 127.42.0.1:6881 --data-dir lab-crawl\n  dhtscope crawl --sample-infohashes --export graphml --out dht.graphml',
    );
  addDataDirOption(command);
  program.addCommand(
    command.action(async (flags: CrawlFlags) => {
      const perAddress = Number(flags.perAddress);
      if (!(perAddress > 0) || perAddress >= BAN_THRESHOLD_PER_SECOND)
        throw usageError(
          `--per-address ${flags.perAddress} must be above 0 and below ${BAN_THRESHOLD_PER_SECOND}`,
          'libtorrent bans an address sending it about 5 packets a second',
        );
      const rate = Number(flags.rate);
      if (!(rate > 0) || rate > 100_000)
        throw usageError(`--rate ${flags.rate} must be above 0 and at most 100000 packets/s`);
      if (flags.export !== undefined && flags.out === undefined)
        throw usageError('--export needs --out <file>');
      if (flags.out !== undefined && flags.export === undefined)
        throw usageError('--out goes with --export', 'e.g. --export graphml --out crawl.graphml');
      if (flags.out !== undefined) outputFileFlag('--out', flags.out);
      const concurrency = wholeFlag('--concurrency', flags.concurrency, 1, 10_000);
      const maxNodes = wholeFlag('--max-nodes', flags.maxNodes, 1, 100_000_000);
      const timeoutMs = wholeFlag('--timeout', flags.timeout, 50, 60_000);
      const maxSampleWait = wholeFlag('--max-sample-wait', flags.maxSampleWait, 0, 21_600);
      const enricher = enricherFromFlags(flags);
      const every =
        flags.every === undefined ? undefined : wholeFlag('--every', flags.every, 1, 525_600);
      const store = await storeErrors(async () => new CrawlStore(flags.dataDir));
      const holder = store.lock();
      if (holder !== undefined)
        throw new CliError(`another crawl (pid ${holder}) is running in ${store.layout.root}`, {
          hint: 'wait for it, or give this one its own --data-dir',
        });
      io.err(
        pc.yellow(
          activeNotice(
            'crawl',
            flags.sampleInfohashes ? 'find_node and sample_infohashes' : 'find_node',
          ),
        ),
      );
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      let setup: Awaited<ReturnType<typeof openSetup>> | undefined;
      try {
        setup = await openSetup(flags, timeoutMs, { perAddress, global: rate });
        const resumed = flags.fresh === true ? undefined : store.loadState();
        if (resumed !== undefined)
          io.err(
            `resuming the crawl of ${new Date(resumed.snapshot).toISOString()} (${Object.keys(resumed.nodes).length} nodes known); --fresh starts over`,
          );
        let snapshot = resumed ?? emptySnapshot(Date.now());
        let fresh = resumed === undefined;
        for (;;) {
          const sink = store.openSink(snapshot, fresh);
          const sentBefore = packetsSent(setup);
          const progress = createProgress(io, 'crawl');
          const current = snapshot;
          const saver = setInterval(() => store.saveState(current, sink), 5_000);
          let counts: CrawlCounts | undefined;
          let result: { aborted: boolean };
          try {
            result = await crawl({
              queriers: setup.queriers,
              bootstrap: setup.bootstrap,
              snapshot,
              sink,
              concurrency,
              maxNodes,
              sampleInfohashes: flags.sampleInfohashes === true,
              maxSampleWaitSeconds: maxSampleWait,
              signal: abort.signal,
              onProgress: (c) => {
                counts = c;
                progress.update(
                  c.done + c.failed,
                  c.known,
                  `${c.done} nodes reached, ${c.failed} silent, ${c.pending} to ask${c.samples > 0 ? `, ${c.samples} samples` : ''}`,
                );
              },
            });
          } finally {
            clearInterval(saver);
            progress.stop();
          }
          if (result.aborted) {
            store.saveState(snapshot, sink);
            io.err('crawl interrupted: its state is saved; run the same command again to resume');
            return;
          }
          if ((counts?.done ?? 0) === 0) {
            store.dropState();
            throw new CliError('no node answered: nothing to write', {
              hint: 'check --bootstrap (a lab network: dhtscope lab network) and that UDP is not blocked',
            });
          }
          sink.flush();
          const written = await storeErrors(() => store.writeSnapshot(snapshot, enricher));
          if (flags.export !== undefined)
            writeFileSync(flags.out!, renderGraph(snapshot, store.readEdges(), flags.export));
          store.dropState();
          const summary = {
            snapshot: new Date(snapshot.snapshot).toISOString(),
            nodes: written.nodes,
            silent: counts?.failed ?? 0,
            edges: written.edges,
            sampledInfohashes: written.infohashes,
            packets: packetsSent(setup) - sentBefore,
            durationMs: Date.now() - snapshot.snapshot,
          };
          if (flags.json === true) io.out(JSON.stringify(summary));
          else
            io.out(
              `snapshot ${summary.snapshot}: ${summary.nodes} nodes reached, ${summary.silent} silent, ${summary.edges} edges${flags.sampleInfohashes ? `, ${summary.sampledInfohashes} infohashes sampled` : ''} · ${summary.packets} packets · ${(summary.durationMs / 1000).toFixed(1)} s\nwritten to crawl_nodes, crawl_edges${flags.sampleInfohashes ? ', sampled_infohashes' : ''} in ${store.layout.root}${flags.export ? `; graph in ${flags.out}` : ''}`,
            );
          if (every === undefined || !(await pause(every * 60_000, abort.signal))) return;
          snapshot = emptySnapshot(Date.now());
          fresh = true;
        }
      } finally {
        process.off('SIGINT', stop);
        await setup?.close();
        store.unlock();
      }
    }),
  );
}

function packetsSent(setup: Awaited<ReturnType<typeof openSetup>>): number {
  return (setup.queriers[4]?.sent ?? 0) + (setup.queriers[6]?.sent ?? 0);
}

/** Waits `ms`; false if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatEndpoint } from '../../dht/address.ts';
import { LAB_NETWORK_DEFAULTS, LAB_NETWORK_MAX_NODES, LabNetwork } from '../../lab/network.ts';
import { labNetworkOverlay } from '../../lab/network-overlay.ts';
import { overlayCsv } from '../../lab/overlay-file.ts';
import { nodeIdToHex } from '../../protocol/kademlia/index.ts';
import { CliError, usageError } from '../errors.ts';
import { wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';
import { MAX_DURATION_SECONDS, untilStopped } from '../wait.ts';

interface NetworkFlags {
  nodes: string;
  swarms: string;
  peers: string;
  stored: string;
  address: string;
  port: string;
  sampleInterval: string;
  seed: string;
  duration?: string;
  ipv6?: boolean;
  overlay?: string;
  json?: boolean;
}

/** `dhtscope lab network`: a standing lab DHT for the active tools to bootstrap from. */
export function registerLabNetwork(lab: Command, io: CliIo): void {
  const d = LAB_NETWORK_DEFAULTS;
  lab.addCommand(
    new Command('network')
      .description(
        'keep a lab DHT up on loopback (our own engine, one 127.x address per node) until Ctrl-C',
      )
      .option('--nodes <n>', 'DHT nodes', String(d.nodes))
      .option('--swarms <n>', 'infohashes announced with peers', String(d.swarms))
      .option('--peers <n>', 'peers per swarm', String(d.peersPerSwarm))
      .option('--stored <n>', 'more infohashes stored, for BEP 51 samples', String(d.stored))
      .option('--address <ip>', 'address of the first node; the others count up', d.firstAddress)
      .option('--port <port>', 'UDP port of every node (0: any free one)', String(d.port))
      .option(
        '--sample-interval <seconds>',
        'BEP 51 interval the nodes answer with',
        String(d.sampleIntervalSeconds),
      )
      .option('--seed <n>', 'node ids, infohashes and peers follow from it', String(d.seed))
      .option('--ipv6', 'dual-stack: an IPv6 twin of every node on ::1, and IPv6 peers too')
      .option(
        '--overlay <file>',
        'write an enrichment overlay placing the nodes around the world (for crawl --overlay)',
      )
      .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)')
      .option('--json', 'print the bootstrap address and the infohashes as one JSON line')
      .addHelpText(
        'after',
        '\nExamples:\n  dhtscope lab network --nodes 200\n  dhtscope lookup <infohash> --bootstrap 127.42.0.1:6881',
      )
      .action(async (flags: NetworkFlags) => {
        const nodes = wholeFlag('--nodes', flags.nodes, 2, LAB_NETWORK_MAX_NODES);
        const duration =
          flags.duration === undefined
            ? undefined
            : wholeFlag('--duration', flags.duration, 1, MAX_DURATION_SECONDS);
        if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(flags.address))
          throw usageError(
            `--address ${flags.address} is not in 127.0.0.0/8`,
            'the lab uses loopback only',
          );
        // Parsed before the try: a bad number is a usage error, not a network that failed to start.
        const options = {
          nodes,
          swarms: wholeFlag('--swarms', flags.swarms, 0, 10_000),
          peersPerSwarm: wholeFlag('--peers', flags.peers, 1, 200),
          stored: wholeFlag('--stored', flags.stored, 0, 100_000),
          firstAddress: flags.address,
          port: wholeFlag('--port', flags.port, 0, 65_535),
          sampleIntervalSeconds: wholeFlag('--sample-interval', flags.sampleInterval, 0, 21_600),
          seed: wholeFlag('--seed', flags.seed, 0, 2 ** 32 - 1),
          ipv6: flags.ipv6 === true,
        };
        let network: LabNetwork;
        try {
          network = await LabNetwork.start(options);
        } catch (error) {
          throw new CliError(`the lab network could not start: ${(error as Error).message}`, {
            hint: 'another lab network may hold these addresses: try --address 127.43.0.1 or --port 0',
          });
        }
        if (flags.overlay !== undefined) {
          const addresses = [...network.nodes, ...network.nodes6].map((n) => n.local.address);
          try {
            writeFileSync(flags.overlay, overlayCsv(labNetworkOverlay([...new Set(addresses)])));
          } catch (error) {
            await network.close();
            throw new CliError(`cannot write ${flags.overlay}: ${(error as Error).message}`);
          }
        }
        const bootstrap = formatEndpoint(network.bootstrap.address, network.bootstrap.port);
        const six = network.bootstrap6;
        const bootstrap6 = six === undefined ? undefined : formatEndpoint(six.address, six.port);
        const swarms = network.swarms.map((s) => ({
          infohash: nodeIdToHex(s.infoHash),
          peers: s.peers.map((p) => formatEndpoint(p.address, p.port)),
        }));
        if (flags.json === true) {
          io.out(
            JSON.stringify({
              bootstrap,
              ...(bootstrap6 === undefined ? {} : { bootstrap6 }),
              nodes: network.nodes.length,
              swarms,
              stored: network.infoHashes.map(nodeIdToHex),
            }),
          );
        } else {
          const last = network.nodes.at(-1)!.local;
          io.out(
            `lab network: ${network.nodes.length} nodes on ${bootstrap} … ${last.address}:${last.port}`,
          );
          io.out(`bootstrap:   --bootstrap ${bootstrap}`);
          if (bootstrap6 !== undefined)
            io.out(`IPv6:        --bootstrap ${bootstrap6} (or the IPv4 one with --bind6 ::1)`);
          io.out(`swarms (infohash → peers the lab announced):`);
          for (const swarm of swarms) io.out(`  ${swarm.infohash}  ${swarm.peers.join(' ')}`);
          io.out(
            `${network.infoHashes.length} infohashes stored in all (BEP 51 samples, interval ${network.options.sampleIntervalSeconds} s)`,
          );
          if (flags.overlay !== undefined)
            io.out(
              `overlay:     ${flags.overlay} (crawl --overlay ${flags.overlay} puts the nodes on the map)`,
            );
          io.out(duration === undefined ? 'running until Ctrl-C' : `running for ${duration} s`);
        }
        await untilStopped(duration);
        await network.close();
        if (flags.json !== true) io.err('lab network stopped');
      }),
  );
}

import { Command } from 'commander';
import pc from 'picocolors';
import { parseInfohash } from '../../active/infohash.ts';
import { activeLookup } from '../../active/lookup.ts';
import { activeNotice } from '../../active/notice.ts';
import { formatEndpoint } from '../../dht/address.ts';
import { nodeIdToHex } from '../../protocol/kademlia/index.ts';
import { openSetup } from '../active-setup.ts';
import { CliError, usageError } from '../errors.ts';
import { bootstrapOption, wholeFlag } from '../flags.ts';
import type { CliIo } from '../io.ts';

interface LookupFlags {
  bootstrap: string[];
  alpha: string;
  bind: string;
  bind6?: string;
  timeout: string;
  json?: boolean;
}

export function registerLookup(program: Command, io: CliIo): void {
  program.addCommand(
    new Command('lookup')
      .description('find the peers of one infohash: an iterative get_peers (active: sends queries)')
      .argument('<infohash|magnet>', '40 hex digits, 32 base32 letters or a magnet link')
      .addOption(bootstrapOption('start from this node, repeatable'))
      .option('--alpha <n>', 'queries in flight at once', '3')
      .option('--bind <address>', 'local IPv4 address to send from', '0.0.0.0')
      .option('--bind6 <address>', 'also walk IPv6 from this local address (BEP 32 dual-stack)')
      .option('--timeout <ms>', 'how long to wait for one answer', '2000')
      .option('--json', 'print the result as one JSON document')
      .addHelpText(
        'after',
        '\nExamples:\n  dhtscope lookup 0123456789abcdef0123456789abcdef01234567 --bootstrap 127.42.0.1:6881\n  dhtscope lookup "magnet:?xt=urn:btih:…" --json',
      )
      .action(async (target: string, flags: LookupFlags) => {
        const parsed = parseInfohash(target);
        if (!parsed.ok) throw usageError(parsed.reason, 'e.g. dhtscope lookup 0123…(40 hex)');
        const alpha = wholeFlag('--alpha', flags.alpha, 1, 32);
        const timeoutMs = wholeFlag('--timeout', flags.timeout, 50, 60_000);
        io.err(pc.yellow(activeNotice('lookup', 'get_peers')));
        const setup = await openSetup(flags, timeoutMs);
        try {
          const hex = nodeIdToHex(parsed.infoHash);
          if (flags.json !== true) io.out(`looking up ${hex}`);
          const result = await activeLookup({
            infoHash: parsed.infoHash,
            queriers: setup.queriers,
            bootstrap: setup.bootstrap,
            alpha,
            onPeer: (peer, from) => {
              if (flags.json !== true)
                io.out(
                  `peer ${formatEndpoint(peer.address, peer.port)}  ${pc.dim(`from ${formatEndpoint(from.address, from.port)}`)}`,
                );
            },
          });
          if (flags.json === true) {
            io.out(
              JSON.stringify({
                infohash: hex,
                peers: result.peers.map((p) => ({ address: p.address, port: p.port })),
                queried: result.queried,
                responded: result.responded,
                hops: result.hops,
                durationMs: result.durationMs,
                closest: result.closest.map((n) => ({
                  id: nodeIdToHex(n.id),
                  address: n.address,
                  port: n.port,
                })),
              }),
            );
          } else {
            io.out(
              `${result.peers.length} peers · ${result.queried} nodes queried (${result.responded} answered) · ${result.hops} hops · ${(result.durationMs / 1000).toFixed(2)} s`,
            );
          }
          if (result.responded === 0)
            throw new CliError('no node answered', {
              hint: 'check --bootstrap (a lab network: dhtscope lab network) and that UDP is not blocked',
            });
        } finally {
          await setup.close();
        }
      }),
  );
}

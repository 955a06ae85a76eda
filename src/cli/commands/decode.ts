import type { Command } from 'commander';
import { type ParseResult, parseKrpc } from '../../protocol/krpc/index.ts';
import { parseIp } from '../../protocol/net/ip.ts';
import { bep42Verdict } from '../../protocol/security/bep42.ts';
import { toJson } from '../../report/json.ts';
import { renderParseResult } from '../../report/krpc-view.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { readDatagramArgument } from '../input.ts';
import type { CliIo } from '../io.ts';

interface DecodeFlags {
  from?: string;
  strict?: boolean;
  json?: boolean;
}

export function registerDecode(program: Command, io: CliIo): void {
  program
    .command('decode')
    .description('pretty-print one KRPC datagram (hex, a file of raw bytes or hex, or - for stdin)')
    .argument('<datagram>', 'hex string, path to a file, or - to read standard input')
    .option(
      '--from <ip>',
      'address the datagram came from: checks the sender node id against BEP 42',
    )
    .option('--strict', 'reject non-canonical bencode (unsorted keys, leading zeros, ...)')
    .option('--json', 'print the decoded message as JSON (byte strings as hex)')
    .addHelpText(
      'after',
      '\nExamples:\n  dhtscope decode 64313a6164323a696432303a6162636465666768696a3031323334353637383965313a71343a70696e67313a74323a6161313a79313a7165\n  dhtscope decode capture.bin --from 203.0.113.7\n  xxd -p datagram.bin | dhtscope decode -\n\nExit status is 1 when the datagram is not a valid KRPC message.',
    )
    .action(async (datagramArgument: string, flags: DecodeFlags) => {
      if (flags.from !== undefined && parseIp(flags.from) === null) {
        throw usageError(
          `--from "${flags.from}" is not an IPv4 or IPv6 address`,
          'e.g. --from 203.0.113.7',
        );
      }
      const datagram = await readDatagramArgument(datagramArgument, io);
      const result = parseKrpc(datagram, flags.strict === true ? { strict: true } : {});
      if (flags.json === true) {
        io.out(toJson({ bytes: datagram.length, ...result, ...bep42Field(result, flags.from) }));
      } else {
        io.out(
          renderParseResult(datagram, result, flags.from === undefined ? {} : { from: flags.from }),
        );
      }
      if (!result.ok)
        throw new CliError(`not a valid KRPC message (${result.reason})`, {
          exitCode: EXIT.failure,
        });
    });
}

/**
 * The sender id's BEP 42 verdict for `--from`, as the text view shows it beside
 * the id: `valid`, `invalid` or `exempt` (a local or private address).
 */
function bep42Field(
  result: ParseResult,
  from: string | undefined,
): { bep42?: { from: string; verdict: string } } {
  if (from === undefined || !result.ok) return {};
  const message = result.message;
  const id =
    message.y === 'q' ? message.args.id : message.y === 'r' ? message.result.id : undefined;
  const verdict = id === undefined ? undefined : bep42Verdict(id, from);
  return verdict === undefined ? {} : { bep42: { from, verdict } };
}

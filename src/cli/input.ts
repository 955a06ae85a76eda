/** Reading a datagram argument: hex text, a file of raw bytes or hex, or `-` for stdin. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { usageError } from './errors.ts';
import type { CliIo } from './io.ts';

const HEX_TEXT = /^(?:0x)?[0-9a-fA-F\s:]*$/;

export async function readDatagramArgument(argument: string, io: CliIo): Promise<Uint8Array> {
  if (argument === '-') return hexOrRaw(await io.readStdin());
  if (HEX_TEXT.test(argument) && !existsSync(argument)) return parseHex(argument, 'argument');
  if (!existsSync(argument)) {
    throw usageError(
      `"${argument}" is neither hex nor an existing file`,
      'pass the datagram as hex (e.g. 64313a...), a file holding raw bytes or hex, or - to read standard input',
    );
  }
  if (statSync(argument).isDirectory())
    throw usageError(`"${argument}" is a directory, not a datagram file`);
  return hexOrRaw(new Uint8Array(readFileSync(argument)));
}

/**
 * A bencoded dictionary always contains ':', which is not a hex digit, so
 * input made only of hex digits and spaces can only be hex text.
 */
function hexOrRaw(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder('latin1').decode(bytes);
  if (bytes.length > 0 && /^(?:0x)?[0-9a-fA-F\s]+$/.test(text)) return parseHex(text, 'input');
  return bytes;
}

function parseHex(text: string, what: string): Uint8Array {
  const digits = text.replace(/^0x/, '').replace(/[\s:]/g, '');
  if (digits.length === 0)
    throw usageError(`the ${what} is empty`, 'pass a datagram as hex, a file, or -');
  if (digits.length % 2 !== 0) {
    throw usageError(
      `the ${what} has an odd number of hex digits (${digits.length})`,
      'each byte is two hex digits',
    );
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

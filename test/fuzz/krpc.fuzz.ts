/**
 * A time-boxed mutation fuzzer for the datagram parser: `npm run fuzz -- [seconds]`.
 * It mutates the kept corpus and freshly generated valid messages; any input
 * that makes `parseKrpc` throw is written to test/fixtures/fuzz/ as a .hex
 * file, where the test suite replays it forever after.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { encodeKrpc, parseKrpc } from '../../src/protocol/krpc/index.ts';
import { seededRandomBytes } from '../../src/protocol/random.ts';
import { krpcMessage } from '../protocol/krpc/arbitraries.ts';

const seconds = Number(process.argv[2] ?? 30);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`usage: npm run fuzz -- [seconds]   (got "${process.argv[2]}")`);
  process.exit(2);
}
const corpusDir = new URL('../fixtures/fuzz/', import.meta.url);
const seeds: Uint8Array[] = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.hex'))
  .map((f) =>
    Buffer.from(
      readFileSync(new URL(f, corpusDir), 'utf8').replace(/#.*$/gm, '').replace(/\s+/g, ''),
      'hex',
    ),
  )
  .map((b) => new Uint8Array(b));
for (const message of fc.sample(krpcMessage, { numRuns: 2000, seed: Date.now() }))
  seeds.push(encodeKrpc(message));

const rng = seededRandomBytes(Date.now() >>> 0);
const pick = (n: number) =>
  n === 0 ? 0 : ((rng(4)[0]! << 16) | (rng(4)[1]! << 8) | rng(4)[2]!) % n;

function mutate(input: Uint8Array): Uint8Array {
  let bytes = Uint8Array.from(input);
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const at = pick(bytes.length + 1);
    switch (pick(6)) {
      case 0:
        if (bytes.length > 0) bytes[at % bytes.length] = rng(1)[0]!;
        break;
      case 1:
        bytes = bytes.subarray(0, at);
        break;
      case 2:
        bytes = Uint8Array.from([
          ...bytes.subarray(0, at),
          ...rng(1 + pick(4)),
          ...bytes.subarray(at),
        ]);
        break;
      case 3:
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1 + pick(4))]);
        break;
      case 4: {
        // splice in a piece of another seed: crosses structures between messages
        const other = seeds[pick(seeds.length)]!;
        const from = pick(other.length);
        bytes = Uint8Array.from([
          ...bytes.subarray(0, at),
          ...other.subarray(from, from + pick(40)),
        ]);
        break;
      }
      default: {
        const tokens = ['e', 'l', 'd', 'i', '0:', '1:', 'i-0e', '99999999999:', 'le', 'de'];
        const token = Buffer.from(tokens[pick(tokens.length)]!, 'latin1');
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...token, ...bytes.subarray(at)]);
      }
    }
  }
  return bytes;
}

const deadline = Date.now() + seconds * 1000;
let runs = 0;
let accepted = 0;
let found = 0;
while (Date.now() < deadline) {
  for (let i = 0; i < 1000; i++) {
    const input = mutate(seeds[pick(seeds.length)]!);
    runs++;
    try {
      if (parseKrpc(input).ok) accepted++;
      parseKrpc(input, { strict: true });
    } catch (error) {
      found++;
      const name = `found-${createHash('sha1').update(input).digest('hex').slice(0, 12)}.hex`;
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
      writeFileSync(
        new URL(name, corpusDir),
        `# parseKrpc threw: ${why}\n${Buffer.from(input).toString('hex')}\n`,
      );
      console.error(`crash: ${why} → test/fixtures/fuzz/${name}`);
    }
  }
}
console.log(
  `${runs} inputs in ${seconds} s (${Math.round(runs / seconds)}/s), ${accepted} accepted, ${found} crashes`,
);
process.exitCode = found > 0 ? 1 : 0;

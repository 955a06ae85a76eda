/**
 * Decoding KRPC datagrams: the npm `bencode` package against our bencode
 * `decode` and our `parseKrpc` (decode + full KRPC validation into typed
 * messages), on one corpus, interleaved in one process.
 */
import bencode from 'bencode';
import { decode } from '../src/protocol/bencode/index.ts';
import { KRPC_DECODE_OPTIONS, parseKrpc } from '../src/protocol/krpc/index.ts';
import { buildCorpus, describeCorpus } from './corpus.ts';
import {
  type BenchResult,
  type Contender,
  compare,
  contenderStats,
  formatComparison,
  type GoalCheck,
  ratio,
} from './harness.ts';

/** The project's goals for decoding, on one core. */
const GOAL_RATIO = 3;
const GOAL_RATE = 1_000_000;

const NPM = 'npm bencode decode';
const OURS_DECODE = 'our bencode decode';
const OURS_PARSE = 'our parseKrpc';

const contenders: Contender[] = [
  {
    name: NPM,
    pass(datagrams) {
      let ok = 0;
      for (let i = 0; i < datagrams.length; i++) {
        const value = bencode.decode(datagrams[i]!);
        if (typeof value === 'object' && value !== null) ok++;
      }
      return ok;
    },
  },
  {
    name: OURS_DECODE,
    pass(datagrams) {
      let ok = 0;
      for (let i = 0; i < datagrams.length; i++) {
        if (decode(datagrams[i]!, KRPC_DECODE_OPTIONS).ok) ok++;
      }
      return ok;
    },
  },
  {
    name: OURS_PARSE,
    pass(datagrams) {
      let ok = 0;
      for (let i = 0; i < datagrams.length; i++) {
        if (parseKrpc(datagrams[i]!).ok) ok++;
      }
      return ok;
    },
  },
];

export async function run(): Promise<BenchResult> {
  const corpus = buildCorpus();
  const datagrams = corpus.datagrams;
  const lines = describeCorpus(corpus);

  // Before timing: every contender must read every datagram, and agree on it.
  const rejections = new Map<string, number>();
  let accepted = 0;
  for (const datagram of datagrams) {
    const parsed = parseKrpc(datagram);
    if (parsed.ok) accepted++;
    else rejections.set(parsed.reason, (rejections.get(parsed.reason) ?? 0) + 1);
    const ours = decode(datagram);
    const theirs = bencode.decode(datagram) as { t?: unknown } | null;
    if (!ours.ok || theirs === null || !sameBytes(theirs.t, (ours.value as { t?: unknown }).t)) {
      throw new Error('npm bencode and our decode disagree on a corpus datagram');
    }
  }
  const acceptance = accepted / datagrams.length;
  lines.push(
    `parseKrpc accepts ${accepted}/${datagrams.length} (${(100 * acceptance).toFixed(2)}%)` +
      (rejections.size > 0 ? `; rejected: ${JSON.stringify(Object.fromEntries(rejections))}` : ''),
  );
  if (acceptance < 0.999) {
    throw new Error(`parseKrpc accepts only ${(100 * acceptance).toFixed(2)}% of the corpus`);
  }

  const comparison = compare(contenders, datagrams, {
    warmupMs: 2_000,
    measureMs: 15_000,
    minRounds: 30,
  });
  for (const c of comparison.contenders) {
    if (c.checksumPerPass !== datagrams.length) {
      throw new Error(`${c.name} decoded ${c.checksumPerPass}/${datagrams.length} per pass`);
    }
  }

  const ratios = [
    ratio(comparison, OURS_DECODE, NPM, 'our decode ÷ npm'),
    ratio(comparison, OURS_PARSE, NPM, 'our parseKrpc ÷ npm'),
  ];
  const parseRate = contenderStats(comparison, OURS_PARSE).itemsPerSecond;
  const decodeRate = contenderStats(comparison, OURS_DECODE).itemsPerSecond;
  const [decodeRatio, parseRatio] = ratios.map((r) => r.median) as [number, number];
  const goals: GoalCheck[] = [
    {
      goal: `parseKrpc ≥ ${GOAL_RATIO}× npm bencode`,
      measured: `${parseRatio.toFixed(3)}×`,
      pass: parseRatio >= GOAL_RATIO,
    },
    {
      goal: `parseKrpc ≥ ${(GOAL_RATE / 1e6).toFixed(0)} M datagrams/s`,
      measured: `${(parseRate / 1e6).toFixed(2)} M/s`,
      pass: parseRate >= GOAL_RATE,
    },
    {
      goal: `bencode decode ≥ ${GOAL_RATIO}× npm bencode`,
      measured: `${decodeRatio.toFixed(3)}×`,
      pass: decodeRatio >= GOAL_RATIO,
    },
    {
      goal: `bencode decode ≥ ${(GOAL_RATE / 1e6).toFixed(0)} M datagrams/s`,
      measured: `${(decodeRate / 1e6).toFixed(2)} M/s`,
      pass: decodeRate >= GOAL_RATE,
    },
  ];
  lines.push(...formatComparison(comparison, ratios, goals));
  return {
    name: 'krpc-decode: npm bencode vs our decode vs our parseKrpc',
    lines,
    contenders: comparison.contenders,
    ratios,
    goals,
  };
}

function sameBytes(a: unknown, b: unknown): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

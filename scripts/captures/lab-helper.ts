// Helper for generate.sh: the parts of building a labeled capture that are easier in code
// than in shell. Runs with Node 24 (type stripping); has no dependency beyond Node itself
// and, for `describe` and `summary`, tshark on the PATH.
//
//   lab-helper.ts ghosts COUNT SILENT_CIDR RESET_CIDR SEED      print "ip port kind" lines
//   lab-helper.ts announce URL INFO_HASH_HEX GHOSTS_FILE        HTTP-announce every ghost
//   lab-helper.ts describe CAPTURE LAB_FILE OUT_PREFIX          write labels + tracker JSON
//   lab-helper.ts summary CAPTURE LABELS_JSON                   per-host connection figures

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

type GhostKind = 'silent' | 'reset';
interface Ghost {
  ip: string;
  port: number;
  kind: GhostKind;
}

function fail(message: string): never {
  process.stderr.write(`lab-helper: ${message}\n`);
  process.exit(2);
}

// A small deterministic generator so the same seed gives the same ghost list.
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    fail(`not an IPv4 address: ${ip}`);
  }
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

function cidrHosts(cidr: string): { first: number; size: number } {
  const [base, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    fail(`bad CIDR: ${cidr}`);
  }
  const size = 2 ** (32 - prefix);
  const network = ipToInt(base) - (ipToInt(base) % size);
  return { first: network + 1, size: size - 2 };
}

// Real peers behind NAT listen on arbitrary high ports; a few keep the classic defaults.
const CLASSIC_PORTS = [6881, 6882, 6883, 6889, 51413];

function makeGhosts(count: number, silentCidr: string, resetCidr: string, seed: number): Ghost[] {
  const random = mulberry32(seed);
  const used = new Set<string>();
  const ghosts: Ghost[] = [];
  const silentShare = 0.7;
  while (ghosts.length < count) {
    const kind: GhostKind = random() < silentShare ? 'silent' : 'reset';
    const range = cidrHosts(kind === 'silent' ? silentCidr : resetCidr);
    const ip = intToIp(range.first + Math.floor(random() * range.size));
    if (used.has(ip)) continue;
    used.add(ip);
    const classic = CLASSIC_PORTS[Math.floor(random() * CLASSIC_PORTS.length)] ?? 6881;
    const port = random() < 0.15 ? classic : 1025 + Math.floor(random() * 64000);
    ghosts.push({ ip, port, kind });
  }
  return ghosts;
}

function readGhosts(file: string): Ghost[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [ip, port, kind] = line.trim().split(/\s+/);
      if (ip === undefined || kind === undefined || (kind !== 'silent' && kind !== 'reset')) {
        fail(`bad ghost line: ${line}`);
      }
      return { ip, port: Number(port), kind };
    });
}

function percentEncode(hex: string): string {
  if (!/^[0-9a-f]{40}$/i.test(hex)) fail(`info hash must be 40 hex digits: ${hex}`);
  return hex.replace(/../g, (pair) => `%${pair}`);
}

function announceOnce(url: string, ghost: Ghost, infoHash: string, index: number): Promise<number> {
  const peerId = `-GH0001-${String(index).padStart(12, '0')}`;
  const query =
    `info_hash=${percentEncode(infoHash)}&peer_id=${encodeURIComponent(peerId)}` +
    `&port=${ghost.port}&uploaded=0&downloaded=0&left=1000&compact=1&numwant=0&event=started`;
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${url}?${query}`,
      { localAddress: ghost.ip, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`timeout announcing ${ghost.ip}`)));
    request.on('error', reject);
  });
}

async function announceAll(url: string, infoHash: string, file: string): Promise<void> {
  const ghosts = readGhosts(file);
  let ok = 0;
  // A few at a time: opentracker is fast, but the lab has two cores to share.
  const batch = 16;
  for (let i = 0; i < ghosts.length; i += batch) {
    const slice = ghosts.slice(i, i + batch);
    const codes = await Promise.all(slice.map((g, j) => announceOnce(url, g, infoHash, i + j)));
    ok += codes.filter((code) => code === 200).length;
  }
  if (ok !== ghosts.length) fail(`tracker accepted ${ok} of ${ghosts.length} ghost announces`);
  process.stdout.write(`announced ${ok} ghost peers to ${url}\n`);
}

function tshark(capture: string, filter: string, fields: string[]): string[][] {
  const args = ['-n', '-r', capture, '-Y', filter, '-T', 'fields', '-E', 'separator=\t'];
  for (const field of fields) args.push('-e', field);
  // tshark's warning about running as root goes to stderr; only its fields matter here.
  const out = execFileSync('tshark', args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

interface Lab {
  infoHash: string;
  trackers: string[];
  clients: { ip: string; port: number; software: string }[];
  scanners: { ip: string; tools: string }[];
  others: { ip: string; role: string }[];
  ghostsFile: string;
}

interface Announce {
  ip: string;
  port: number;
  via: 'http' | 'udp';
  event: string;
}

// What the clients told the tracker, read back from the capture itself (HTTP query
// strings; BEP 15 announce packets, whose port sits at byte offset 96).
function observedAnnounces(capture: string): Announce[] {
  const announces: Announce[] = [];
  for (const [ip, uri] of tshark(capture, 'http.request', ['ip.src', 'http.request.uri'])) {
    if (ip === undefined || uri === undefined || !uri.includes('info_hash=')) continue;
    const params = new URLSearchParams(uri.slice(uri.indexOf('?') + 1));
    announces.push({
      ip,
      port: Number(params.get('port')),
      via: 'http',
      event: params.get('event') ?? '',
    });
  }
  const udpEvents = ['', 'completed', 'started', 'stopped'];
  for (const [ip, hex] of tshark(capture, 'udp.dstport == 6969', ['ip.src', 'udp.payload'])) {
    if (ip === undefined || hex === undefined) continue;
    const payload = Buffer.from(hex.replaceAll(':', ''), 'hex');
    if (payload.length < 98 || payload.readUInt32BE(8) !== 1) continue;
    const event = udpEvents[payload.readUInt32BE(80)] ?? 'unknown';
    announces.push({ ip, port: payload.readUInt16BE(96), via: 'udp', event });
  }
  return announces;
}

function describe(capture: string, labFile: string, outPrefix: string): void {
  const lab = JSON.parse(readFileSync(labFile, 'utf8')) as Lab;
  const ghosts = readGhosts(lab.ghostsFile);
  const labels = {
    bittorrent: lab.clients.map((c) => c.ip),
    scanner: lab.scanners.map((s) => s.ip),
    other: lab.others.map((o) => o.ip),
  };
  writeFileSync(`${outPrefix}.labels.json`, `${JSON.stringify(labels, null, 2)}\n`);

  const announces = observedAnnounces(capture);
  const clientPeers = lab.clients.map((client) => {
    const own = announces.filter((a) => a.ip === client.ip);
    const ports = [...new Set(own.map((a) => a.port))];
    return {
      ip: client.ip,
      port: client.port,
      software: client.software,
      announcedPorts: ports,
      announcesHttp: own.filter((a) => a.via === 'http').length,
      announcesUdp: own.filter((a) => a.via === 'udp').length,
    };
  });
  const tracker = {
    infoHash: lab.infoHash,
    trackers: lab.trackers,
    note:
      'Every peer the tracker was told about: the gone peers were announced over HTTP from ' +
      'their own addresses before the capture started (then removed from the lab); the ' +
      'clients announced during the capture (counts read back from it).',
    peers: [
      ...clientPeers.map((c) => ({ ip: c.ip, port: c.port, role: 'client' })),
      ...ghosts.map((g) => ({ ip: g.ip, port: g.port, role: `gone-${g.kind}` })),
    ],
    clients: clientPeers,
  };
  writeFileSync(`${outPrefix}.tracker.json`, `${JSON.stringify(tracker, null, 2)}\n`);
  const mismatched = clientPeers.filter((c) => c.announcedPorts.some((p) => p !== c.port));
  if (mismatched.length > 0)
    fail(`clients announced unexpected ports: ${JSON.stringify(mismatched)}`);
}

interface Attempt {
  src: string;
  dst: string;
  dport: string;
  answered: 'none' | 'rst' | 'synack';
}

// One row per TCP connection attempt (first SYN of a tcp.stream) and how it was answered.
function attempts(capture: string): Attempt[] {
  const streams = new Map<string, Attempt>();
  const rows = tshark(capture, 'tcp.flags.syn == 1 || tcp.flags.reset == 1', [
    'tcp.stream',
    'ip.src',
    'ip.dst',
    'tcp.dstport',
    'tcp.flags.syn',
    'tcp.flags.ack',
    'tcp.flags.reset',
  ]);
  for (const [stream, src, dst, dport, syn, ack, rst] of rows) {
    if (stream === undefined || src === undefined || dst === undefined || dport === undefined)
      continue;
    const known = streams.get(stream);
    if (known === undefined) {
      if (syn === '1' && ack === '0') streams.set(stream, { src, dst, dport, answered: 'none' });
      continue;
    }
    if (src !== known.dst || known.answered === 'synack') continue;
    if (syn === '1' && ack === '1') known.answered = 'synack';
    else if (rst === '1') known.answered = 'rst';
  }
  return [...streams.values()];
}

function summary(capture: string, labelsFile: string): void {
  const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as Record<string, string[]>;
  const roleOf = new Map<string, string>();
  for (const [role, ips] of Object.entries(labels)) for (const ip of ips) roleOf.set(ip, role);
  const perSource = new Map<string, Attempt[]>();
  for (const attempt of attempts(capture)) {
    const list = perSource.get(attempt.src) ?? [];
    list.push(attempt);
    perSource.set(attempt.src, list);
  }
  const lines = [
    '| host | role | attempts | established | no answer | rejected | distinct failed dst | distinct failed dst ports |',
  ];
  lines.push('|---|---|---|---|---|---|---|---|');
  const sorted = [...perSource.entries()].sort((a, b) => ipToInt(a[0]) - ipToInt(b[0]));
  for (const [src, list] of sorted) {
    const failed = list.filter((a) => a.answered !== 'synack');
    const row = [
      src,
      roleOf.get(src) ?? 'unlabeled',
      list.length,
      list.length - failed.length,
      failed.filter((a) => a.answered === 'none').length,
      failed.filter((a) => a.answered === 'rst').length,
      new Set(failed.map((a) => a.dst)).size,
      new Set(failed.map((a) => a.dport)).size,
    ];
    lines.push(`| ${row.join(' | ')} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'ghosts' && args.length === 4) {
  const [count, silent, reset, seed] = args as [string, string, string, string];
  const ghosts = makeGhosts(Number(count), silent, reset, Number(seed));
  process.stdout.write(ghosts.map((g) => `${g.ip} ${g.port} ${g.kind}\n`).join(''));
} else if (command === 'announce' && args.length === 3) {
  const [url, infoHash, file] = args as [string, string, string];
  await announceAll(url, infoHash, file);
} else if (command === 'describe' && args.length === 3) {
  const [capture, labFile, outPrefix] = args as [string, string, string];
  describe(capture, labFile, outPrefix);
} else if (command === 'summary' && args.length === 2) {
  const [capture, labelsFile] = args as [string, string];
  summary(capture, labelsFile);
} else {
  fail('usage: lab-helper.ts ghosts|announce|describe|summary … (see the top of this file)');
}

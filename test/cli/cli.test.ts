import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OLDEST_NODE, unsupportedNode } from '../../src/cli/node-version.ts';
import { runCli } from '../helpers/cli.ts';
import { matchSnapshot } from '../helpers/snapshot.ts';

const PING_HEX = Buffer.from('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe').toString(
  'hex',
);
const ROOT = new URL('../../', import.meta.url);
const VERSION = (
  JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string }
).version;

describe('dhtscope (in-process)', () => {
  it('--help lists every command and the --json convention', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const word of ['decode', 'demo', '--json', 'Usage: dhtscope'])
      assert.ok(stdout.includes(word), word);
  });

  it('with no arguments prints help and succeeds', async () => {
    const { code, stdout } = await runCli([]);
    assert.equal(code, 0);
    assert.ok(stdout.includes('Usage: dhtscope'));
  });

  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await runCli([flag]);
      assert.equal(code, 0, flag);
      assert.equal(stdout.trim(), VERSION, flag);
    }
  });

  it('an unknown command exits 2 and suggests the closest one, after help too', async () => {
    for (const argv of [['decod'], ['help', 'decod']]) {
      const { code, stdout, stderr } = await runCli(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(stderr, /unknown command 'decod'/);
      assert.match(stderr, /Did you mean decode\?/);
      assert.doesNotMatch(stdout, /Usage: dhtscope/);
    }
    const known = await runCli(['help', 'decode']);
    assert.equal(known.code, 0);
    assert.match(known.stdout, /Usage: dhtscope decode/);
  });

  it('decode <hex> pretty-prints a datagram', async () => {
    const { code, stdout } = await runCli(['decode', PING_HEX]);
    assert.equal(code, 0);
    assert.match(stdout, /query · ping/);
    assert.match(stdout, /a\.id\s+node id\s+6162636465666768696a30313233343536373839/);
    assert.match(stdout, /bencode: canonical/);
  });

  it('decode --json prints machine-readable output with byte strings as hex', async () => {
    const { code, stdout } = await runCli(['decode', PING_HEX, '--json']);
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout) as { ok: boolean; message: { method: string; t: string } };
    assert.equal(parsed.ok, true);
    assert.equal(parsed.message.method, 'ping');
    assert.equal(parsed.message.t, '6161');
  });

  it('decode --json --from gives the BEP 42 verdict of the sender id, as the text view does', async () => {
    const verdict = async (from: string) => {
      const { code, stdout } = await runCli(['decode', PING_HEX, '--json', '--from', from]);
      assert.equal(code, 0);
      return (JSON.parse(stdout) as { bep42?: { from: string; verdict: string } }).bep42;
    };
    assert.deepEqual(await verdict('203.0.113.7'), { from: '203.0.113.7', verdict: 'invalid' });
    assert.deepEqual(await verdict('10.1.2.3'), { from: '10.1.2.3', verdict: 'exempt' });
    const { stdout } = await runCli(['decode', PING_HEX, '--json']);
    assert.equal('bep42' in (JSON.parse(stdout) as object), false);
  });

  it('the hex example in decode --help decodes', async () => {
    const { stdout: help } = await runCli(['decode', '--help']);
    const example = /dhtscope decode ([0-9a-f]+)\n/.exec(help)?.[1];
    assert.ok(example !== undefined, 'decode --help shows a hex example');
    const { code, stdout } = await runCli(['decode', example]);
    assert.equal(code, 0, stdout);
  });

  it('decode of a broken datagram shows the reason and where, and exits 1', async () => {
    const broken = PING_HEX.slice(0, 40);
    const { code, stdout, stderr } = await runCli(['decode', broken]);
    assert.equal(code, 1);
    assert.match(stdout, /rejected: bencode\.unexpected-end/);
    assert.match(stdout, /at byte 20/);
    assert.match(stderr, /not a valid KRPC message \(bencode\.unexpected-end\)/);
  });

  it('decode reads raw files, hex files and standard input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhtscope-cli-'));
    const raw = join(dir, 'ping.bin');
    const hexFile = join(dir, 'ping.hex');
    writeFileSync(raw, Buffer.from(PING_HEX, 'hex'));
    writeFileSync(hexFile, `${PING_HEX.slice(0, 30)}\n${PING_HEX.slice(30)}\n`);
    for (const argv of [
      ['decode', raw],
      ['decode', hexFile],
    ]) {
      const { code, stdout } = await runCli(argv);
      assert.equal(code, 0, argv.join(' '));
      assert.match(stdout, /query · ping/);
    }
    const fromStdin = await runCli(['decode', '-'], Buffer.from(PING_HEX, 'hex'));
    assert.equal(fromStdin.code, 0);
    assert.match(fromStdin.stdout, /query · ping/);
  });

  it('decode --from checks the sender id against BEP 42', async () => {
    // BEP 42 test vector: 124.31.75.21 with id 5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401
    const id = Buffer.from('5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401', 'hex');
    const datagram = Buffer.concat([
      Buffer.from('d1:ad2:id20:'),
      id,
      Buffer.from('e1:q4:ping1:t2:aa1:y1:qe'),
    ]);
    const valid = await runCli(['decode', datagram.toString('hex'), '--from', '124.31.75.21']);
    assert.match(valid.stdout, /BEP 42: valid for 124\.31\.75\.21/);
    const invalid = await runCli(['decode', datagram.toString('hex'), '--from', '21.75.31.124']);
    assert.match(invalid.stdout, /BEP 42: not valid for 21\.75\.31\.124/);
  });

  it('bad arguments say what is wrong and how to fix it, with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['decode', 'nothex-and-no-file'], /neither hex nor an existing file[\s\S]*hint:/],
      [['decode', 'abc'], /odd number of hex digits/],
      [
        ['decode', PING_HEX, '--from', 'nowhere'],
        /--from "nowhere" is not an IPv4 or IPv6 address/,
      ],
      [['decode'], /missing required argument 'datagram'/],
      [['tour', '--seed', 'x'], /--seed "x" is not an integer/],
      [['decode', PING_HEX, '--bogus'], /unknown option '--bogus'/],
    ];
    for (const [argv, pattern] of cases) {
      const { code, stderr } = await runCli(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(stderr, pattern);
    }
  });

  it('compute --config names a typo or a bad value deep in the file, before any step runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dhtscope-config-'));
    const cases: [unknown, RegExp][] = [
      [
        { hash_profiles: { metrics: { minEvnts: 3 } } },
        /hash_profiles\.metrics: unknown setting minEvnts/,
      ],
      [{ hash_profiles: { bursty: {} } }, /hash_profiles: unknown detector bursty/],
      [
        { operator_profiles: { sweep: { minTargets: 'many' } } },
        /operator_profiles\.sweep\.minTargets: expected a number/,
      ],
      [
        { operator_profiles: { sweeps: { minTargets: 3 } } },
        /operator_profiles: unknown detector sweeps/,
      ],
      [
        { operators: { topAdresses: 5 } },
        /operators: unknown setting topAdresses \(settings: [a-zA-Z, ]*topAddresses/,
      ],
      [
        { operator_profiles: { sweep: { minTargets: -5 } } },
        /operator_profiles\.sweep\.minTargets: -5 is negative/,
      ],
      [
        '{"operators": {"topAddresses": 1e400}}',
        /operators\.topAddresses: Infinity is not a finite number/,
      ],
    ];
    for (const [config, pattern] of cases) {
      const file = join(dir, 'config.json');
      writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
      const { code, stderr } = await runCli([
        'compute',
        '--data-dir',
        join(dir, 'none'),
        '--config',
        file,
      ]);
      assert.equal(code, 2, JSON.stringify(config));
      assert.match(stderr, pattern);
      assert.match(stderr, /docs\/analysis\.md/);
    }
  });

  it('tour prints the protocol tour (snapshot)', async () => {
    const { code, stdout } = await runCli(['tour']);
    assert.equal(code, 0);
    matchSnapshot('tour', stdout);
  });

  it('tour with another seed gives another tour', async () => {
    const a = await runCli(['tour', '--seed', '1']);
    const b = await runCli(['tour', '--seed', '2']);
    assert.notEqual(a.stdout, b.stdout);
    const empty = await runCli(['tour', '--seed', '']);
    assert.equal(empty.code, 2, 'an empty seed is not seed 0');
  });
});

describe('dhtscope (the installed bin, as a user runs it)', () => {
  const bin = new URL('bin/dhtscope.js', ROOT).pathname;
  const env = { ...process.env, NO_COLOR: '1' };

  it('runs from dist/ with the Node that runs the tests', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8', env });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: dhtscope/);
    const decode = spawnSync(process.execPath, [bin, 'decode', PING_HEX.slice(0, 40)], {
      encoding: 'utf8',
      env,
    });
    assert.equal(decode.status, 1);
    assert.match(decode.stderr, /error: not a valid KRPC message/);
  });

  it('on a Node.js older than the engines field, says so and how to fix it, before loading anything', () => {
    // The version as an older Node reports it; the bin must not reach the CLI (or Node APIs it lacks).
    const pretend =
      'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.20.2"})';
    const old = spawnSync(process.execPath, ['--import', pretend, bin, '--version'], {
      encoding: 'utf8',
      env,
    });
    assert.equal(old.status, 1);
    assert.equal(old.stdout, '', 'the CLI did not run');
    assert.match(
      old.stderr,
      /^error: dhtscope needs Node\.js 22\.12\.0 or newer; this is Node\.js 20\.20\.2\n/,
    );
    assert.match(old.stderr, /hint: .*npx dhtscope/);
  });
});

describe('the Node.js version check', () => {
  it('accepts the oldest supported version and anything newer, refuses anything older', () => {
    for (const ok of ['22.12.0', '22.12.1', '22.13.0', '23.0.0', '24.11.1', 'v24.0.0'])
      assert.equal(unsupportedNode(ok), undefined, ok);
    for (const bad of ['22.11.9', '22.0.0', '20.20.2', '18.19.0', 'v20.1.0'])
      assert.match(unsupportedNode(bad) ?? '', new RegExp(`this is Node\\.js ${bad}\\n`), bad);
  });

  it('matches package.json engines', () => {
    const engines = (
      JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node;
    assert.equal(`>=${OLDEST_NODE}`.replace(/\.0$/, ''), engines);
  });
});

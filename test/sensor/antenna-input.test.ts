/**
 * What `dhtscope antenna` and `dhtscope watch` do with a mistake in their
 * input: a bad flag or config value is a usage error (exit 2) naming the flag
 * or the file and key, found before anything starts; an enrichment file they
 * cannot use is an input error (exit 1); none is ever reported as a bug (70).
 * Every run binds 127.0.0.1 and bootstraps from loopback, so even a run the
 * command wrongly accepted stays off the internet.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/errors.ts';
import { type CliRun, runCli } from '../helpers/cli.ts';
import { freeUdpPorts } from '../helpers/ports.ts';

let root: string;
let port: number;
let bootstrap: number;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'dhtscope-antenna-input-'));
  // Nothing listens on the bootstrap port: a run that starts pings loopback and hears nothing.
  [port, bootstrap] = (await freeUdpPorts(2)) as [number, number];
});

after(() => rmSync(root, { recursive: true, force: true }));

/** A file in the test's folder. */
function file(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

/** The antenna on loopback with `extra` flags last (a later flag wins over an earlier one). */
function antenna(...extra: string[]): Promise<CliRun> {
  return runCli([
    'antenna',
    '--data-dir',
    join(root, 'data'),
    '--bind',
    '127.0.0.1',
    '--ports',
    String(port),
    '--ids-per-port',
    '1',
    '--bootstrap',
    `127.0.0.1:${bootstrap}`,
    '--duration',
    '0.2',
    '--no-status',
    '--log-level',
    'error',
    ...extra,
  ]);
}

function watch(...extra: string[]): Promise<CliRun> {
  return runCli([
    'watch',
    '--data-dir',
    join(root, 'watch-data'),
    '--bind',
    '127.0.0.1',
    '--ports',
    String(port),
    '--bootstrap',
    `127.0.0.1:${bootstrap}`,
    '--duration',
    '1',
    ...extra,
  ]);
}

/** A usage error whose message (first line) matches `pattern`. */
function assertUsage(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, EXIT.usage, run.stderr);
  assert.match(run.stderr.split('\n')[0]!, pattern);
  assert.doesNotMatch(run.stderr, /internal error/);
}

/** The first line of standard error: the message, without the hint. */
const message = (run: CliRun) => run.stderr.split('\n')[0]!;

describe('antenna and watch: a bad --bind', () => {
  it('is a usage error naming the flag, not a transport error', async () => {
    assertUsage(await antenna('--bind', 'notanip'), /^error: --bind notanip: expected an IP/);
    assertUsage(await watch('--bind', 'notanip'), /^error: --bind notanip: expected an IP/);
  });

  it('in the config file is named by its key', async () => {
    const config = file('bind.json', '{"bind": "notanip"}');
    const run = await antenna('--config', config);
    assertUsage(run, /config file .*bind\.json: bind: expected an IP address/);
  });
});

describe('antenna: an enrichment file it cannot use', () => {
  it('a malformed --overlay is an input error naming the file, as in map and ipinfo', async () => {
    const overlay = file('bad.csv', 'not,a,header\n');
    const run = await antenna('--overlay', overlay);
    assert.equal(run.code, EXIT.failure, run.stderr);
    assert.match(run.stderr, /bad\.csv:1: /);
    assert.doesNotMatch(run.stderr, /internal error/);
    const ipinfo = await runCli(['ipinfo', '--overlay', overlay, '192.0.2.1']);
    assert.equal(ipinfo.code, run.code, 'ipinfo gives the same exit status');
  });

  it('enrichment.overlay in --config naming a missing file is an input error', async () => {
    const config = file('overlay.json', '{"enrichment": {"overlay": "/nonexistent/overlay.csv"}}');
    const run = await antenna('--config', config);
    assert.equal(run.code, EXIT.failure, run.stderr);
    assert.match(run.stderr, /\/nonexistent\/overlay\.csv: cannot read the overlay/);
    assert.doesNotMatch(run.stderr, /internal error/);
  });
});

describe('antenna: values checked before anything starts', () => {
  it('--external-ip must be an IP address', async () => {
    assertUsage(
      await antenna('--bep42-ids', '--external-ip', 'nope'),
      /^error: --external-ip nope: expected an IP address/,
    );
  });

  it('a --bootstrap port must be from 1 to 65535, and the error says so with an example', async () => {
    const run = await antenna('--bootstrap', '127.0.0.1:99999');
    assertUsage(
      run,
      /^error: --bootstrap 127\.0\.0\.1:99999: the port must be from 1 to 65535, e\.g\. /,
    );
  });

  it('--duration must be above 0, as in watch and lab network', async () => {
    for (const duration of ['-1', '0', 'abc', '1e400']) {
      assertUsage(
        await antenna('--duration', duration),
        new RegExp(`^error: --duration ${duration} is not a number of seconds above 0`),
      );
      assertUsage(await watch('--duration', duration), /^error: --duration /);
    }
  });

  it('a port listed twice is refused as such, not as a port in use', async () => {
    const twice = `${port},${port}`;
    const expected = new RegExp(`^error: --ports ${twice}: port ${port} is listed twice`);
    assertUsage(await antenna('--ports', twice), expected);
    assertUsage(await watch('--ports', twice), expected);
    const config = file('twice.json', `{"ports": [${port}, ${port}]}`);
    assertUsage(
      await antenna('--config', config, '--ports', String(port)),
      /twice\.json: ports: port \d+ is listed twice/,
    );
  });
});

describe('antenna: the config file', () => {
  it('must hold a JSON object', async () => {
    for (const [name, text, kind] of [
      ['array.json', '[]', 'an array'],
      ['number.json', '3', 'a number'],
      ['null.json', 'null', 'null'],
    ]) {
      assertUsage(
        await antenna('--config', file(name!, text!)),
        new RegExp(`^error: config file .*${name} must hold a JSON object of keys, not ${kind}$`),
      );
    }
  });

  it('a bad value is refused even when a flag overrides its key, naming the file and the key', async () => {
    const config = file('bad-ports.json', '{"ports": [70000], "metricsPort": -1}');
    assertUsage(
      await antenna('--config', config, '--ports', String(port)),
      /^error: config file .*bad-ports\.json: ports\[0\]: expected a whole number from 1 to 65535$/,
    );
  });
});

describe('antenna and watch: one wording for one mistake', () => {
  it('a bad number names the flag, the value and the range, the same in both', async () => {
    for (const [flag, value] of [
      ['--ports', 'abc'],
      ['--ports', '70000'],
      ['--ids-per-port', '0'],
    ]) {
      const fromAntenna = await antenna(flag!, value!);
      assertUsage(
        fromAntenna,
        new RegExp(`^error: ${flag} ${value} is not a whole number from \\d+ to \\d+$`),
      );
      assert.equal(message(fromAntenna), message(await watch(flag!, value!)));
    }
    assertUsage(
      await antenna('--metrics-port', '70000'),
      /^error: --metrics-port 70000 is not a whole number from 0 to 65535$/,
    );
    assertUsage(
      await antenna('--time-scale', '0.5'),
      /^error: --time-scale 0\.5 is not a number from 1 to 100000$/,
    );
  });

  it('other bad flag values name the flag and the value, not a config key', async () => {
    for (const [flags, pattern] of [
      [['--writer-id', 'a-b'], /^error: --writer-id a-b: expected letters/],
      [['--webhook', 'ftp://x'], /^error: --webhook ftp:\/\/x: expected an http or https URL$/],
      [['--time-origin', 'yesterday'], /^error: --time-origin yesterday: expected an ISO 8601/],
      [['--bootstrap', 'nohost'], /^error: --bootstrap nohost: expected host:port/],
    ] as const) {
      const run = await antenna(...flags);
      assertUsage(run, pattern);
      assert.doesNotMatch(run.stderr, /command line:/);
    }
  });

  it("watch's hint points to watch's help", async () => {
    const run = await watch('--bootstrap', 'bad');
    assertUsage(run, /^error: --bootstrap bad: expected host:port/);
    assert.match(run.stderr, /hint: dhtscope watch --help/);
    assert.doesNotMatch(run.stderr, /antenna/);
  });
});

describe('antenna: DHTSCOPE_DATA_DIR', () => {
  it('counts as a flag: it beats dataDir in the config file, and docs/sensor.md says so', async () => {
    const fromFile = join(root, 'file-dir');
    const fromEnv = join(root, 'env-dir');
    const config = file(
      'data-dir.json',
      JSON.stringify({ dataDir: fromFile, enrichment: { builtin: false } }),
    );
    process.env.DHTSCOPE_DATA_DIR = fromEnv;
    try {
      const run = await runCli([
        'antenna',
        '--config',
        config,
        '--bind',
        '127.0.0.1',
        '--ports',
        String(port),
        '--bootstrap',
        `127.0.0.1:${bootstrap}`,
        '--duration',
        '0.2',
        '--no-status',
        '--log-level',
        'error',
      ]);
      assert.equal(run.code, EXIT.ok, run.stderr);
    } finally {
      delete process.env.DHTSCOPE_DATA_DIR;
    }
    assert.ok(existsSync(fromEnv), 'the environment variable chose the data directory');
    assert.ok(!existsSync(fromFile));
    const docs = readFileSync(new URL('../../docs/sensor.md', import.meta.url), 'utf8');
    const precedence = docs.slice(docs.indexOf('## Configuration'), docs.indexOf('```json'));
    assert.match(precedence, /DHTSCOPE_DATA_DIR/);
  });
});

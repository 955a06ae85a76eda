/**
 * What the lab commands do with bad input: a data directory that already
 * holds a run, an `--existing` run that is not there, option values that do
 * not parse. None of these may write anything, start a network or end as an
 * internal error.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/errors.ts';
import { StoreReader } from '../../src/store/reader.ts';
import { runCli } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'dhtscope-lab-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function eventCount(dataDir: string): Promise<number> {
  const reader = await StoreReader.open(dataDir);
  try {
    const [row] = (await reader.query('SELECT count(*)::INTEGER AS n FROM events')).rows;
    return Number(row!.n);
  } finally {
    reader.close();
  }
}

describe('a data directory that already holds a lab run', () => {
  const dataDir = join(root, 'trace');
  const truthFile = join(dataDir, 'lab', 'ground-truth.json');
  let events = 0;
  let truth = '';

  before(async () => {
    const first = await runCli(['lab', 'trace', '--scenario', 'small', '--data-dir', dataDir]);
    assert.equal(first.code, EXIT.ok, first.stderr);
    events = await eventCount(dataDir);
    truth = readFileSync(truthFile, 'utf8');
  });

  /** The refusal: exit 1 with a hint, and the first run exactly as it was. */
  async function assertRefused(argv: string[]): Promise<void> {
    const run = await runCli(argv);
    assert.equal(run.code, EXIT.failure, run.stderr);
    assert.match(run.stderr, /error: .*already holds a lab run/);
    assert.match(run.stderr, /hint: .*new directory/);
    assert.doesNotMatch(run.stderr, /internal error|live lab failed/);
    assert.equal(await eventCount(dataDir), events, 'no events added');
    assert.equal(readFileSync(truthFile, 'utf8'), truth, 'ground truth untouched');
  }

  it('lab trace refuses to add a second trace to it', async () => {
    await assertRefused(['lab', 'trace', '--scenario', 'small', '--data-dir', dataDir]);
    await assertRefused(['lab', 'trace', '--scenario', 'demo', '--data-dir', dataDir]);
  });

  it('lab run refuses it before the lab starts', async () => {
    const started = Date.now();
    await assertRefused(['lab', 'run', '--scenario', 'small', '--data-dir', dataDir]);
    assert.ok(Date.now() - started < 10_000, 'refused up front, not after a live run');
  });

  it('lab eval with --data-dir refuses it and points to --existing', async () => {
    await assertRefused(['lab', 'eval', '--scenario', 'small', '--data-dir', dataDir]);
    const run = await runCli(['lab', 'eval', '--scenario', 'small', '--data-dir', dataDir]);
    assert.match(run.stderr, /lab eval --existing/);
  });

  it('events without a ground truth (an interrupted run, a sensor) are refused too', async () => {
    const journal = join(root, 'events-only');
    mkdirSync(join(journal, 'journal', 'events'), { recursive: true });
    writeFileSync(
      join(journal, 'dhtscope-data.json'),
      readFileSync(join(dataDir, 'dhtscope-data.json')),
    );
    writeFileSync(join(journal, 'journal', 'events', 'antenna-1.csv'), 'ts\n');
    const run = await runCli(['lab', 'trace', '--scenario', 'small', '--data-dir', journal]);
    assert.equal(run.code, EXIT.failure, run.stderr);
    assert.match(run.stderr, /already holds events/);
  });
});

describe('lab eval --existing without a run', () => {
  for (const [what, dir] of [
    ['a missing directory', join(root, 'missing')],
    ['an empty directory', join(root, 'empty')],
  ] as const) {
    it(`fails on ${what} with a hint to run the lab first`, async () => {
      if (what === 'an empty directory') mkdirSync(dir, { recursive: true });
      const run = await runCli(['lab', 'eval', '--existing', '--data-dir', dir]);
      assert.equal(run.code, EXIT.failure, run.stderr);
      assert.match(run.stderr, /error: no lab run in /);
      assert.match(run.stderr, /hint: .*dhtscope lab trace/);
      assert.doesNotMatch(run.stderr, /internal error|ScenarioError/);
    });
  }
});

describe('lab command lines', () => {
  for (const argv of [
    ['lab', 'eval', '--bogus'],
    ['lab', 'eval', '--mode', 'xyz'],
    ['lab', 'eval', '--mode'],
    ['lab', 'network', '--bogus'],
  ]) {
    it(`${argv.join(' ')} is a usage error (exit 2)`, async () => {
      const run = await runCli(argv);
      assert.equal(run.code, EXIT.usage, run.stderr);
      assert.match(run.stderr, /error: /);
    });
  }

  for (const [flag, value] of [
    ['--swarms', '-1'],
    ['--peers', 'abc'],
    ['--port', '70000'],
    ['--seed', 'abc'],
    ['--sample-interval', '-1'],
    ['--stored', '1.5'],
  ] as const) {
    it(`lab network ${flag} ${value} is a usage error, not a failed start`, async () => {
      const argv = ['lab', 'network', '--address', '127.57.0.1', '--duration', '1', flag, value];
      const run = await runCli(flag === '--port' ? argv : [...argv, '--port', '0']);
      assert.equal(run.code, EXIT.usage, run.stderr);
      assert.match(run.stderr, new RegExp(`error: ${flag} ${value} is not a whole number`));
      assert.doesNotMatch(run.stderr, /could not start|another lab network/);
    });
  }

  it('a scenario whose actors do not build is a usage error, and nothing is written', async () => {
    const file = join(root, 'bad-actor.yaml');
    writeFileSync(
      file,
      `name: bad
duration: 1h
networks:
  - { name: home, cidr: 127.40.0.0/16, asn: 64540, org: Test Home, country: FR }
actors:
  - { behavior: no_such_behavior, network: home }
`,
    );
    const dataDir = join(root, 'bad-actor');
    for (const command of ['trace', 'run']) {
      const run = await runCli(['lab', command, '--scenario', file, '--data-dir', dataDir]);
      assert.equal(run.code, EXIT.usage, run.stderr);
      assert.match(run.stderr, /error: actors\[0\]: unknown behavior "no_such_behavior"/);
      assert.match(run.stderr, /hint: known behaviors: /);
    }
    assert.equal(existsSync(dataDir), false);
  });

  it('help of every lab subcommand words --help as the rest of dhtscope does', async () => {
    for (const sub of ['scenarios', 'run', 'trace', 'eval', 'network']) {
      const run = await runCli(['lab', sub, '--help']);
      assert.equal(run.code, EXIT.ok, run.stderr);
      assert.match(run.stdout, /-h, --help +show help for dhtscope or a command/, sub);
      assert.doesNotMatch(run.stdout, /display help for command/, sub);
    }
  });
});

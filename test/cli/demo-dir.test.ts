/**
 * The demo's data directory: only what an earlier demo made is replaced,
 * and a bad scenario is refused before the directory is touched. The demo
 * itself takes two minutes, so these stop before its lab would start.
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isDemoDir, prepareDemoDir } from '../../src/cli/commands/demo.ts';
import { CliError, EXIT } from '../../src/cli/errors.ts';
import { writeGroundTruth } from '../../src/lab/ground-truth.ts';
import { runCli } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'dhtscope-demo-dir-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir` with its contents, to show that nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  );
  return new Map(
    files.map((e) => [join(e.parentPath, e.name), readFileSync(join(e.parentPath, e.name), 'hex')]),
  );
}

function assertUsageError(work: () => void, message: RegExp): void {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, EXIT.usage);
    assert.match(error.message, message);
    assert.match(error.hint ?? '', /--data-dir/);
    return true;
  });
}

describe('dhtscope demo and a directory written by lab trace', () => {
  const traced = join(root, 'traced');
  before(async () => {
    const run = await runCli(['lab', 'trace', '--scenario', 'small', '--data-dir', traced]);
    assert.equal(run.code, EXIT.ok, run.stderr);
  });

  it('a misspelt --scenario is refused and the directory is left as it was', async () => {
    const before = snapshot(traced);
    const run = await runCli(['demo', '--scenario', 'typo', '--data-dir', traced]);
    assert.equal(run.code, EXIT.usage, run.stderr);
    assert.match(run.stderr, /no built-in scenario "typo"/);
    assert.deepEqual(snapshot(traced), before);
  });

  it('a scenario file whose actors do not build is refused before the directory is touched', async () => {
    const file = join(root, 'bad.yaml');
    writeFileSync(
      file,
      `name: bad
duration: 1h
networks:
  - { name: home, cidr: 127.40.0.0/16, asn: 64540, org: Test Home, country: FR }
actors:
  - { behavior: normal_client, network: nowhere }
`,
    );
    const before = snapshot(traced);
    const run = await runCli(['demo', '--scenario', file, '--data-dir', traced]);
    assert.equal(run.code, EXIT.usage, run.stderr);
    assert.deepEqual(snapshot(traced), before);
  });

  it('is not the demo’s to replace: refused with a hint, nothing deleted', () => {
    const before = snapshot(traced);
    assert.equal(isDemoDir(traced), false);
    assertUsageError(() => prepareDemoDir(traced), /was not made by dhtscope demo/);
    assert.deepEqual(snapshot(traced), before);
  });
});

describe('prepareDemoDir', () => {
  it('makes a missing directory a marked demo directory', () => {
    const dir = join(root, 'new', 'demo');
    prepareDemoDir(dir);
    assert.equal(isDemoDir(dir), true);
    assert.ok(existsSync(join(dir, 'dhtscope-data.json')), 'a data directory');
  });

  it('takes an empty directory', () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    prepareDemoDir(dir);
    assert.equal(isDemoDir(dir), true);
  });

  it('replaces what an earlier demo left, and keeps the mark', () => {
    const dir = join(root, 'again');
    prepareDemoDir(dir);
    writeGroundTruth(dir, { scenario: 'demo', mode: 'live', labels: [] });
    mkdirSync(join(dir, 'events', 'date=2026-01-05'), { recursive: true });
    writeFileSync(join(dir, 'events', 'date=2026-01-05', 'part-1.parquet'), 'x');
    prepareDemoDir(dir);
    assert.equal(isDemoDir(dir), true);
    assert.equal(existsSync(join(dir, 'events')), false);
    assert.equal(existsSync(join(dir, 'lab', 'ground-truth.json')), false);
  });

  it('keeps an earlier demo when the new one names a scenario that does not exist', async () => {
    const dir = join(root, 'kept');
    prepareDemoDir(dir);
    writeGroundTruth(dir, { scenario: 'demo', mode: 'live', labels: [] });
    const before = snapshot(dir);
    const run = await runCli(['demo', '--scenario', 'typo', '--data-dir', dir]);
    assert.equal(run.code, EXIT.usage, run.stderr);
    assert.deepEqual(snapshot(dir), before);
  });

  it('refuses a directory of someone else’s files', () => {
    const dir = join(root, 'papers');
    mkdirSync(dir);
    writeFileSync(join(dir, 'thesis.tex'), 'precious');
    assertUsageError(() => prepareDemoDir(dir), /not empty and was not made by dhtscope demo/);
    assert.equal(readFileSync(join(dir, 'thesis.tex'), 'utf8'), 'precious');
  });

  it('refuses an unmarked live run of the demo scenario (a lab run, or a demo of an older dhtscope)', () => {
    const dir = join(root, 'lab-run-demo');
    writeGroundTruth(dir, { scenario: 'demo', mode: 'live', labels: [] });
    assertUsageError(() => prepareDemoDir(dir), /holds a lab run .*not made by dhtscope demo/);
    assert.ok(existsSync(join(dir, 'lab', 'ground-truth.json')));
  });

  it('refuses a file', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    assertUsageError(() => prepareDemoDir(file), /is a file/);
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });
});

/**
 * Snapshot comparison: on mismatch the new output is written beside the
 * snapshot as `<name>-changed.txt` for review, never silently accepted.
 * `UPDATE_SNAPSHOTS=1` rewrites snapshots on purpose.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const DIR = new URL('../snapshots/', import.meta.url);

export function matchSnapshot(name: string, actual: string): void {
  const file = new URL(`${name}.txt`, DIR);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file))
    assert.fail(
      `no snapshot ${name}.txt; create it with UPDATE_SNAPSHOTS=1 after checking the output`,
    );
  const expected = readFileSync(file, 'utf8');
  if (actual !== expected) {
    writeFileSync(new URL(`${name}-changed.txt`, DIR), actual);
    assert.equal(
      actual,
      expected,
      `output differs from test/snapshots/${name}.txt; see ${name}-changed.txt`,
    );
  }
}

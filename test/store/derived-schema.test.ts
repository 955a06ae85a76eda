/**
 * A derived table written by an earlier dhtscope, before a column was added,
 * still reads: the new column is NULL until `compute` writes the table again,
 * and every other view keeps working (a missing column must not break the store).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Duck } from '../../src/store/duck.ts';
import { sqlString } from '../../src/store/journal-format.ts';
import { openDataDir } from '../../src/store/layout.ts';
import { StoreReader } from '../../src/store/reader.ts';
import { CAMPAIGNS } from '../../src/store/tables-coordination.ts';

const root = mkdtempSync(join(tmpdir(), 'dhtscope-derived-schema-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('derived tables from an older version', () => {
  it('reads a table missing a newer column as NULL there', async () => {
    const layout = openDataDir(join(root, 'data'), { create: true });
    const duck = await Duck.open();
    const older = CAMPAIGNS.columns.filter((c) => c.name !== 'signals');
    const values = older.map((c) =>
      c.type === 'timestamp'
        ? `TIMESTAMP '2026-01-05 00:00:00' AS ${c.name}`
        : c.type === 'integer'
          ? `3 AS ${c.name}`
          : `'x' AS ${c.name}`,
    );
    await duck.run(
      `COPY (SELECT ${values.join(', ')}) TO ${sqlString(layout.tableFile(CAMPAIGNS.name))} (FORMAT parquet)`,
    );
    duck.close();
    const reader = await StoreReader.open(layout.root);
    try {
      const { rows } = await reader.query('SELECT members, signals FROM campaigns');
      assert.deepEqual(
        rows.map((r) => [Number(r.members), r.signals]),
        [[3, null]],
      );
      const { rows: other } = await reader.query('SELECT count(*)::INTEGER AS n FROM events');
      assert.equal(other[0]!.n, 0);
    } finally {
      reader.close();
    }
  });
});

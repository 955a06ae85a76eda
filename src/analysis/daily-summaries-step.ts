/**
 * `compute` step: daily_summaries for every day still in the raw events,
 * replacing earlier summaries of those days and keeping the days retention
 * has already folded (their raw events are gone, their summaries stay).
 * Summaries read the rotated Parquet parts: the journal's last minutes join
 * the day's summary at the next compute.
 */
import { existsSync } from 'node:fs';
import { EVENTS } from '../store/datasets.ts';
import { writeDerivedTable } from '../store/derived.ts';
import { listPartitionDates } from '../store/files.ts';
import { emptySelectSql, sqlString } from '../store/journal-format.ts';
import { daySummarySql } from '../store/retention.ts';
import { DAILY_SUMMARIES } from '../store/tables.ts';
import type { AnalysisStep } from './step.ts';

export const dailySummariesStep: AnalysisStep = {
  name: 'daily summaries',
  tables: [DAILY_SUMMARIES],
  async run({ reader, onProgress }) {
    const layout = reader.layout;
    const dates = listPartitionDates(layout, EVENTS);
    const columns = DAILY_SUMMARIES.columns.map((c) => c.name).join(', ');
    const now = Date.now();
    const selects = dates.map(
      (date) => `SELECT ${columns} FROM (${daySummarySql(layout, date, now)})`,
    );
    const file = layout.tableFile(DAILY_SUMMARIES.name);
    if (existsSync(file)) {
      const fresh = dates.map(sqlString).join(', ');
      selects.unshift(
        `SELECT ${columns} FROM read_parquet(${sqlString(file)})${dates.length === 0 ? '' : ` WHERE date_utc NOT IN (${fresh})`}`,
      );
    }
    // No day yet still writes the (empty) table: the report then says so instead of
    // asking for a compute that has run.
    if (selects.length === 0) selects.push(emptySelectSql(DAILY_SUMMARIES.columns));
    const rows = await reader.withFreshViews((duck) =>
      writeDerivedTable(duck, layout, DAILY_SUMMARIES, selects.join(' UNION ALL '), 'date_utc'),
    );
    onProgress(1, 1);
    return {
      rows: { [DAILY_SUMMARIES.name]: rows },
      summary: rows === 0 ? 'no days yet' : `${rows} days (${dates.length} from raw events)`,
    };
  },
};

/**
 * Runs one report over the store and renders it for people (titled tables,
 * a freshness line), for programs (one JSON document) or for spreadsheets
 * (CSV of the main section). A report whose tables were never computed says
 * so and how to fix it; it never computes them itself.
 */

import { existsSync } from 'node:fs';
import pc from 'picocolors';
import { type CatalogEntry, readCatalog } from '../store/derived.ts';
import type { StoreReader } from '../store/reader.ts';
import { renderLongTable } from './long-table.ts';
import { cellText, resultAsCsv, TABLE_STYLE } from './query-result.ts';
import type { ReportSpec, ReportWindow } from './reports.ts';

export interface ReportSection {
  title: string;
  columns: string[];
  rows: Record<string, unknown>[];
  empty: string;
}

export interface ReportResult {
  report: string;
  title: string;
  window: ReportWindow;
  /** Per table read: when compute wrote it, over which events; `computed: false` if never. */
  freshness: (
    | ({ table: string; computed: true } & CatalogEntry)
    | { table: string; computed: false }
  )[];
  sections: ReportSection[];
}

export async function runReport(
  reader: StoreReader,
  spec: ReportSpec,
  window: ReportWindow,
  limit: number,
  argument?: string,
): Promise<ReportResult> {
  const catalog = readCatalog(reader.layout);
  const freshness: ReportResult['freshness'] = spec.tables.map((table) => {
    const entry = catalog[table];
    return entry !== undefined && existsSync(reader.layout.tableFile(table))
      ? { table, computed: true as const, ...entry }
      : { table, computed: false as const };
  });
  const result: ReportResult = {
    report: spec.key,
    title: spec.title,
    window,
    freshness,
    sections: [],
  };
  if (freshness.some((f) => !f.computed)) return result;
  // Every query of the report against one set of views (defining them lists every partition).
  result.sections = await reader.withFreshViews(async (duck) => {
    const sections: ReportSection[] = [];
    for (const query of spec.queries(window, limit, argument)) {
      const { columns, rows } = await duck.table(query.sql);
      sections.push({ title: query.title, columns, rows, empty: query.empty });
    }
    return sections;
  });
  return result;
}

/** Free-text columns wrapped at 60 characters, so a table fits a terminal. */
const WIDE_TEXT = new Set([
  'why',
  'classes',
  'top_addresses',
  'addresses',
  'clients',
  'asn_list',
  'active_days',
]);

export function renderReportText(result: ReportResult, nowMs: number): string {
  const lines = [pc.bold(result.title)];
  const missing = result.freshness.filter((f) => !f.computed).map((f) => f.table);
  if (missing.length > 0) {
    lines.push(`not computed yet: ${missing.join(', ')}. Run \`dhtscope compute\` first.`);
    return lines.join('\n');
  }
  lines.push(pc.dim(freshnessLine(result, nowMs)));
  for (const section of result.sections) {
    lines.push('', pc.bold(section.title));
    if (section.rows.length === 0) {
      lines.push(`  ${section.empty}`);
      continue;
    }
    if (section.rows.length === 1 && section.columns.length > 6) {
      // One wide row (a deep-dive) reads better as a list of fields.
      const row = section.rows[0]!;
      const width = Math.max(...section.columns.map((c) => c.length));
      for (const c of section.columns)
        lines.push(`  ${pc.dim(c.padEnd(width))}  ${cellText(row[c])}`);
      continue;
    }
    const colWidths = section.columns.map((c) => {
      if (!WIDE_TEXT.has(c)) return null;
      const longest = Math.max(c.length, ...section.rows.map((r) => cellText(r[c]).length));
      return Math.min(62, longest + 2);
    });
    const rows = section.rows.map((row) => section.columns.map((c) => cellText(row[c])));
    lines.push(
      renderLongTable(
        { head: section.columns, style: TABLE_STYLE, wordWrap: true, colWidths },
        rows,
      ),
    );
  }
  return lines.join('\n');
}

export function renderReportJson(result: ReportResult): string {
  return JSON.stringify(result, null, 2);
}

/** CSV of the report's main section (its first), header line first. */
export function renderReportCsv(result: ReportResult): string {
  const section = result.sections[0];
  return section === undefined ? '' : resultAsCsv(section);
}

function freshnessLine(result: ReportResult, nowMs: number): string {
  const computed = result.freshness.filter(
    (f): f is Extract<typeof f, { computed: true }> => f.computed,
  );
  if (computed.length === 0) return '';
  const oldest = computed.reduce((a, b) => (a.computedAt < b.computedAt ? a : b));
  const ago = formatAgo(nowMs - Date.parse(oldest.computedAt));
  const span =
    oldest.eventsFrom === undefined
      ? 'no events (the store was empty)'
      : `${oldest.events} events ${oldest.eventsFrom.slice(0, 16).replace('T', ' ')} → ${(oldest.eventsTo ?? '').slice(0, 16).replace('T', ' ')} UTC`;
  const window = [
    result.window.since && `since ${result.window.since}`,
    result.window.until && `until ${result.window.until}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `computed ${ago} over ${span}${window === '' ? '' : ` · window ${window}`}`;
}

function formatAgo(ms: number): string {
  if (ms < 90_000) return `${Math.max(0, Math.round(ms / 1000))} s ago`;
  if (ms < 90 * 60_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 48 * 3_600_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}

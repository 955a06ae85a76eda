import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Arbitrary } from 'fast-check';
import { listJournals, listParts } from '../../src/store/files.ts';
import {
  Duck,
  EVENT_COLUMNS,
  EVENTS,
  type EventRecord,
  Journal,
  openDataDir,
  SQL_TYPES,
  StoreError,
  StoreReader,
} from '../../src/store/index.ts';
import {
  LINE_WRITER_ROOM,
  LineOverflow,
  lineEncoder,
  lineWriter,
} from '../../src/store/journal-format.ts';
import { makeEvents } from '../helpers/events.ts';

const roots: string[] = [];
function freshDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'dhtscope-store-'));
  roots.push(root);
  return join(root, 'data');
}
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const HOUR = 3_600_000_000;
const START = Date.UTC(2026, 10, 21, 13, 0, 0) * 1000;

/** Rows back from the store, with every column, in the shape they went in. */
async function readBack(dataDir: string): Promise<EventRecord[]> {
  const reader = await StoreReader.open(dataDir);
  try {
    const cols = EVENT_COLUMNS.map((c) =>
      c.type === 'timestamp' ? `epoch_us(${c.name}) AS ${c.name}` : c.name,
    );
    const { rows } = await reader.query(
      `SELECT ${cols.join(', ')} FROM events ORDER BY ts, announce_port`,
    );
    return rows.map((row) => {
      const event: Record<string, unknown> = {};
      for (const c of EVENT_COLUMNS) {
        const value = row[c.name];
        if (value === null || value === undefined) continue;
        event[c.prop] = c.type === 'integer' || c.type === 'timestamp' ? Number(value) : value;
      }
      return event as EventRecord;
    });
  } finally {
    reader.close();
  }
}

describe('store: journal and partitions', () => {
  it('rows read back identical, from the live journal and from Parquet after rotation', async () => {
    const dataDir = freshDir();
    const journal = await Journal.open<EventRecord>(openDataDir(dataDir, { create: true }), EVENTS);
    const events = makeEvents(500, START, 1000);
    events[3]!.org = 'Commas, "quotes" and more';
    events[4]!.seed = true;
    events[4]!.scrape = false;
    events[4]!.want = 'n4,n6';
    events[5]!.bep42 = 'invalid';
    events[5]!.client = 'libtorrent (Rasterbar) 2.0.0';
    for (const e of events) journal.append(e);
    journal.flush();
    assert.deepStrictEqual(await readBack(dataDir), events, 'from the journal');
    await journal.close();
    assert.equal(listJournals(journal['layout'], EVENTS).length, 0, 'no journal left after close');
    assert.deepStrictEqual(await readBack(dataDir), events, 'from Parquet');
  });

  it('rows longer than the write buffer, and multi-byte text, reach the file whole and in order', async () => {
    const dataDir = freshDir();
    const journal = await Journal.open<EventRecord>(
      openDataDir(dataDir, { create: true }),
      EVENTS,
      {
        maxBufferedBytes: 2048,
      },
    );
    const events = makeEvents(200, START, 1000);
    for (const [i, e] of events.entries()) {
      // 72,000 UTF-16 units, 96 kB of UTF-8: past the buffer and its spare room.
      if (i % 7 === 0) e.org = `${'Ωmega 😀 '.repeat(8000)}#${i}`;
      else if (i % 3 === 0) e.org = `Zürich ${'x'.repeat(i * 50)}`;
    }
    for (const e of events) journal.append(e);
    assert.ok(journal.stats.flushed > 0, 'the small buffer flushed on its own');
    journal.flush();
    assert.equal(journal.stats.bufferedRows, 0);
    assert.deepStrictEqual(await readBack(dataDir), events);
    await journal.close();
  });

  it('one part per hour: a journal never spans two partitions', async () => {
    const dataDir = freshDir();
    const layout = openDataDir(dataDir, { create: true });
    const journal = await Journal.open<EventRecord>(layout, EVENTS);
    for (const e of makeEvents(300, START - HOUR / 2, HOUR / 100)) journal.append(e); // 3 hours
    await journal.close();
    const parts = listParts(layout, EVENTS);
    assert.deepEqual(
      parts.map((p) => `${p.partition.date}T${p.partition.hour}`),
      ['2026-11-21T12', '2026-11-21T13', '2026-11-21T14', '2026-11-21T15'],
    );
    const duck = await Duck.open();
    try {
      for (const part of parts) {
        const [row] = await duck.rows(
          `SELECT count(*) FILTER (WHERE strftime(ts, '%Y-%m-%dT%H') <> '${part.partition.date}T${part.partition.hour}') AS stray FROM read_parquet('${part.path}')`,
        );
        assert.equal(Number(row!.stray), 0, `${part.path} holds only its hour`);
      }
    } finally {
      duck.close();
    }
  });

  it('Parquet parts open in DuckDB with the documented schema', async () => {
    const dataDir = freshDir();
    const layout = openDataDir(dataDir, { create: true });
    const journal = await Journal.open<EventRecord>(layout, EVENTS);
    for (const e of makeEvents(10, START, 1000)) journal.append(e);
    await journal.close();
    const duck = await Duck.open();
    try {
      const described = await duck.rows(
        `DESCRIBE SELECT * FROM read_parquet('${listParts(layout, EVENTS)[0]!.path}', hive_partitioning = false)`,
      );
      assert.deepEqual(
        described.map((r) => `${r.column_name} ${r.column_type}`),
        EVENT_COLUMNS.map((c) => `${c.name} ${SQL_TYPES[c.type]}`),
      );
    } finally {
      duck.close();
    }
  });

  it('a torn last line is invisible to readers and cut off by the next writer', async () => {
    const dataDir = freshDir();
    const layout = openDataDir(dataDir, { create: true });
    const first = await Journal.open<EventRecord>(layout, EVENTS, { writerId: 'torn' });
    const events = makeEvents(20, START, 1000);
    for (const e of events) first.append(e);
    first.flush();
    const [file] = listJournals(layout, EVENTS);
    const line = readFileSync(file!.path, 'utf8').split('\n')[0]!;
    appendFileSync(file!.path, line.slice(0, line.length - 7)); // a crash mid-line
    assert.equal((await readBack(dataDir)).length, 20, 'the torn line is not read');
    // Abandon the writer as a crash would (no close), then start another with the same id.
    clearInterval(first['timer']);
    const second = await Journal.open<EventRecord>(layout, EVENTS, { writerId: 'torn' });
    assert.equal(listJournals(layout, EVENTS).length, 0, 'the leftover journal was converted');
    assert.deepStrictEqual(await readBack(dataDir), events);
    await second.close();
  });

  it('a second process cannot take a writer id that a live process holds', async () => {
    const dataDir = freshDir();
    const layout = openDataDir(dataDir, { create: true });
    const holder = spawn(
      process.execPath,
      [new URL('./writer-child.ts', import.meta.url).pathname, dataDir, '0'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      await assert.rejects(
        Journal.open<EventRecord>(layout, EVENTS, { writerId: 'crashy' }),
        (error: unknown) =>
          error instanceof StoreError && /pid \d+/.test(error.message) && error.hint !== undefined,
      );
      const other = await Journal.open<EventRecord>(layout, EVENTS, { writerId: 'other' });
      await other.close();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('bad settings and foreign directories are refused with an explanation', async () => {
    const layout = openDataDir(freshDir(), { create: true });
    await assert.rejects(Journal.open(layout, EVENTS, { writerId: 'no-dashes' }), /not valid/);
    await assert.rejects(
      Journal.open(layout, EVENTS, { flushIntervalMs: 5000 }),
      /outside 1\.\.1000/,
    );
    const foreign = freshDir();
    openDataDir(foreign, { create: true });
    appendFileSync(join(foreign, 'dhtscope-data.json'), '{broken');
    assert.throws(() => openDataDir(foreign, { create: false }), /not valid JSON/);
    const nonEmpty = mkdtempSync(join(tmpdir(), 'dhtscope-foreign-'));
    roots.push(nonEmpty);
    appendFileSync(join(nonEmpty, 'notes.txt'), 'mine');
    assert.throws(() => openDataDir(nonEmpty, { create: true }), /not a dhtscope data directory/);
    assert.throws(() => openDataDir(join(nonEmpty, 'missing'), { create: false }), StoreError);
    // A reader pointed at someone's folder is told to find a store, not to make one.
    assert.throws(
      () => openDataDir(nonEmpty, { create: false }),
      (error: StoreError) => /dhtscope has written/.test(error.hint ?? ''),
    );
    // A file where a directory belongs: a StoreError (a clear message), not ENOTDIR.
    const file = join(nonEmpty, 'notes.txt');
    for (const create of [true, false])
      assert.throws(() => openDataDir(file, { create }), /is a file, not a data directory/);
  });

  it('the data directory records its format version', () => {
    const dataDir = freshDir();
    openDataDir(dataDir, { create: true });
    const format = JSON.parse(readFileSync(join(dataDir, 'dhtscope-data.json'), 'utf8')) as {
      version: number;
    };
    assert.equal(format.version, 1);
    assert.ok(existsSync(join(dataDir, 'tables')));
    assert.ok(readdirSync(dataDir).includes('tmp'));
  });
});

describe('store: free text survives the journal', () => {
  it('any text in text columns (commas, quotes, unicode) reads back unchanged; line breaks as spaces', async () => {
    const fc = (await import('fast-check')).default;
    const textColumns = EVENT_COLUMNS.filter((c) => c.type === 'text');
    assert.ok(textColumns.length >= 3);
    const samples = fc.sample(
      fc.string({
        unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', '🙂', "'", '\\'),
        minLength: 1,
        maxLength: 12,
      }),
      { numRuns: 200, seed: 11 },
    );
    const dataDir = freshDir();
    const journal = await Journal.open<EventRecord>(openDataDir(dataDir, { create: true }), EVENTS);
    const events = makeEvents(samples.length, START, 1000);
    events.forEach((event, i) => {
      const record = event as Record<string, unknown>;
      for (const c of textColumns) record[c.prop] = samples[(i + c.name.length) % samples.length];
    });
    for (const e of events) journal.append(e);
    journal.flush();
    const stored = events.map((event) => {
      const copy: Record<string, unknown> = { ...event };
      for (const c of textColumns)
        copy[c.prop] = (copy[c.prop] as string).replace(/\r\n|[\r\n]/g, ' ');
      return copy as EventRecord;
    });
    assert.deepStrictEqual(await readBack(dataDir), stored, 'from the journal');
    await journal.close();
    assert.deepStrictEqual(await readBack(dataDir), stored, 'from Parquet');
  });
});

describe('store: the line writer', () => {
  it('writes the bytes of the line encoder, for any values of every column type', async () => {
    const fc = (await import('fast-check')).default;
    const writeLine = lineWriter<Record<string, unknown>>(EVENT_COLUMNS);
    const encodeLine = lineEncoder<Record<string, unknown>>(EVENT_COLUMNS);
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', '🙂', '\ud800', 'µ'),
        fc.string({ unit: 'binary', maxLength: 1 }),
      ),
      maxLength: 20,
    });
    const arbitraryFor = (type: string): Arbitrary<unknown> =>
      type === 'boolean'
        ? fc.boolean()
        : type === 'integer' || type === 'timestamp'
          ? fc.oneof(
              fc.integer(),
              fc.maxSafeInteger(),
              fc.constantFrom(0, -0, -0.5, 9, 10, 99, 100, 1e21, -1e21, Number.NaN, 1.7e15 + 0.9),
            )
          : type === 'double'
            ? fc.double()
            : text;
    const row = fc.record(
      Object.fromEntries(
        EVENT_COLUMNS.map((c) => [c.prop, fc.option(arbitraryFor(c.type), { nil: undefined })]),
      ),
    );
    const buf = Buffer.alloc(LINE_WRITER_ROOM * 2);
    fc.assert(
      fc.property(row, fc.integer({ min: 0, max: 100 }), (r, at) => {
        const end = writeLine(r, buf, at);
        assert.deepEqual(buf.subarray(at, end), Buffer.from(encodeLine(r)));
      }),
      { seed: 21, numRuns: 2000 },
    );
  });

  it('refuses, rather than cuts, a value that does not fit what is left', () => {
    const writeLine = lineWriter<Record<string, unknown>>(EVENT_COLUMNS);
    const textColumn = EVENT_COLUMNS.find((c) => c.type === 'text')!;
    const buf = Buffer.alloc(1000);
    assert.throws(
      () => writeLine({ [textColumn.prop]: 'x'.repeat(400) }, buf, 0),
      (error) => error instanceof LineOverflow,
    );
    assert.ok(writeLine({ [textColumn.prop]: 'x'.repeat(300) }, buf, 0) > 300);
  });
});

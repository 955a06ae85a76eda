/**
 * Where a crawl keeps itself in the data directory: `crawl/state.json`, the
 * nodes of the snapshot in progress (saved every few seconds and on Ctrl-C,
 * so a crawl goes on where it stopped), `crawl/edges.csv` and
 * `crawl/samples.csv`, its edges and samples appended as they come (in
 * the tables' own row shape), and, when a snapshot ends, its rows added to
 * the crawl tables (src/store/tables-crawl.ts). Each table file is
 * rewritten whole with the old snapshots and the new one, atomically, like
 * the derived tables: a reader sees the old file or the new one.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Enricher } from '../enrich/index.ts';
import { nodeIdFromHex } from '../protocol/kademlia/index.ts';
import { bep42Verdict } from '../protocol/security/bep42.ts';
import { writeDerivedTable } from '../store/derived.ts';
import { Duck } from '../store/duck.ts';
import {
  emptySelectSql,
  journalSelectSql,
  lineEncoder,
  sqlString,
} from '../store/journal-format.ts';
import { type DataLayout, openDataDir } from '../store/layout.ts';
import { truncateTornTail } from '../store/rotate.ts';
import type { RowOf } from '../store/schema.ts';
import type { TableSpec } from '../store/tables.ts';
import {
  CRAWL_EDGE_COLUMNS,
  CRAWL_EDGES,
  CRAWL_NODE_COLUMNS,
  CRAWL_NODES,
  SAMPLED_INFOHASH_COLUMNS,
  SAMPLED_INFOHASHES,
} from '../store/tables-crawl.ts';
import type { CrawlEdge, CrawlSink, CrawlSnapshot } from './crawl-model.ts';

/** The crawl tables' rows in the store's journal line format (src/store/journal-format.ts). */
const encodeNode = lineEncoder<RowOf<typeof CRAWL_NODE_COLUMNS>>(CRAWL_NODE_COLUMNS);
const encodeEdge = lineEncoder<RowOf<typeof CRAWL_EDGE_COLUMNS>>(CRAWL_EDGE_COLUMNS);
const encodeSample = lineEncoder<RowOf<typeof SAMPLED_INFOHASH_COLUMNS>>(SAMPLED_INFOHASH_COLUMNS);

export class CrawlStore {
  readonly layout: DataLayout;

  constructor(dataDir: string) {
    this.layout = openDataDir(dataDir, { create: true });
    mkdirSync(this.dir, { recursive: true });
  }

  get dir(): string {
    return join(this.layout.root, 'crawl');
  }

  get statePath(): string {
    return join(this.dir, 'state.json');
  }

  get lockPath(): string {
    return join(this.dir, 'lock');
  }

  /**
   * One crawl per data directory: the state file and the table rewrites are
   * not shared. Returns the pid holding the lock when another live process does.
   */
  lock(): number | undefined {
    if (existsSync(this.lockPath)) {
      const pid = Number(readFileSync(this.lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) return pid;
    }
    writeFileSync(this.lockPath, `${process.pid}\n`);
    return undefined;
  }

  unlock(): void {
    rmSync(this.lockPath, { force: true });
  }

  get edgesPath(): string {
    return join(this.dir, 'edges.csv');
  }

  get samplesPath(): string {
    return join(this.dir, 'samples.csv');
  }

  /**
   * The sink of the snapshot in progress: rows buffered and appended to the
   * journal files at each `flush` (saveState flushes first, so the files are
   * never behind the state). `fresh` empties them first; otherwise a line a
   * crash left half-written is cut off before appending to it.
   */
  openSink(snapshot: CrawlSnapshot, fresh: boolean): CrawlSink & { flush(): void } {
    for (const path of [this.edgesPath, this.samplesPath]) {
      if (fresh) writeFileSync(path, '');
      else if (existsSync(path)) truncateTornTail(path);
    }
    const us = micros(snapshot.snapshot);
    let edges: string[] = [];
    let samples: string[] = [];
    const flush = (): void => {
      if (edges.length > 0) appendFileSync(this.edgesPath, edges.join(''));
      if (samples.length > 0) appendFileSync(this.samplesPath, samples.join(''));
      edges = [];
      samples = [];
    };
    return {
      edge: (e) => {
        edges.push(
          encodeEdge({
            snapshot: us,
            fromId: e.from,
            fromIp: e.fromAddress,
            fromPort: e.fromPort,
            toId: e.to,
            toIp: e.toAddress,
            toPort: e.toPort,
          }),
        );
        if (edges.length >= 10_000) flush();
      },
      sample: (x) => {
        samples.push(
          encodeSample({
            snapshot: us,
            infohash: x.infohash,
            ip: x.address,
            port: x.port,
            ts: micros(x.at),
          }),
        );
        if (samples.length >= 10_000) flush();
      },
      flush,
    };
  }

  /** The edges the snapshot in progress wrote so far (for `--export`). */
  readEdges(): CrawlEdge[] {
    if (!existsSync(this.edgesPath)) return [];
    const edges: CrawlEdge[] = [];
    const width = CRAWL_EDGE_COLUMNS.length;
    for (const line of readFileSync(this.edgesPath, 'utf8').split('\n')) {
      // Every edge column is a token or a number: no quoting, so a plain split reads the line.
      const cells = line.split(',');
      if (cells.length !== width + 1 || cells[width] !== 'e') continue; // empty or torn
      const r = Object.fromEntries(CRAWL_EDGE_COLUMNS.map((c, i) => [c.prop, cells[i]!])) as {
        [K in (typeof CRAWL_EDGE_COLUMNS)[number]['prop']]: string;
      };
      edges.push({
        from: r.fromId,
        fromAddress: r.fromIp,
        fromPort: Number(r.fromPort),
        to: r.toId,
        toAddress: r.toIp,
        toPort: Number(r.toPort),
      });
    }
    return edges;
  }

  /** The snapshot an interrupted crawl left, if any. */
  loadState(): CrawlSnapshot | undefined {
    if (!existsSync(this.statePath)) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(this.statePath, 'utf8')) as CrawlSnapshot;
      if (typeof parsed.snapshot !== 'number' || typeof parsed.nodes !== 'object') return undefined;
      return parsed;
    } catch {
      // A torn state file (a crash mid-write cannot make one: it is renamed into place) starts afresh.
      return undefined;
    }
  }

  saveState(snapshot: CrawlSnapshot, sink?: { flush(): void }): void {
    sink?.flush();
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot));
    renameSync(tmp, this.statePath);
  }

  dropState(): void {
    for (const path of [this.statePath, this.edgesPath, this.samplesPath])
      rmSync(path, { force: true });
  }

  /** Adds the snapshot's rows to the crawl tables; returns what was written. */
  async writeSnapshot(
    snapshot: CrawlSnapshot,
    enricher: Enricher | undefined,
  ): Promise<{ nodes: number; edges: number; samples: number; infohashes: number }> {
    const nodeRows = Object.values(snapshot.nodes)
      .filter((n) => n.status === 'done' && n.id !== undefined && isIP(n.address) !== 0)
      .map((n) => {
        const e = enricher?.lookup(n.address) ?? {};
        const bep42 = bep42Verdict(nodeIdFromHex(n.id!), n.address);
        return encodeNode({
          snapshot: micros(snapshot.snapshot),
          nodeId: n.id!,
          ip: n.address,
          port: n.port,
          family: n.family,
          client: n.client,
          bep42: bep42 === undefined || bep42 === 'exempt' ? undefined : bep42 === 'valid',
          firstSeen: micros(n.firstSeen ?? snapshot.snapshot),
          lastSeen: micros(n.lastSeen ?? snapshot.snapshot),
          asn: e.asn,
          org: e.org,
          country: e.country,
          latitude: e.latitude,
          longitude: e.longitude,
        });
      });
    const nodesPath = join(this.layout.tmpDir, `crawl-nodes-${process.pid}.csv`);
    writeFileSync(nodesPath, nodeRows.join(''));
    const duck = await Duck.open({ threads: 1 });
    try {
      await this.#append(duck, CRAWL_NODES, nodesPath, (fresh, old) =>
        // first_seen spans every snapshot: the earliest any crawl heard this node at this address.
        old === undefined
          ? `SELECT * FROM ${fresh}`
          : `SELECT * FROM ${old} UNION ALL SELECT n.* REPLACE (least(n.first_seen, coalesce(p.first_seen, n.first_seen)) AS first_seen)
             FROM ${fresh} n LEFT JOIN (SELECT node_id, ip, port, min(first_seen) AS first_seen FROM ${old} GROUP BY ALL) p
             USING (node_id, ip, port)`,
      );
      const edges = await this.#append(duck, CRAWL_EDGES, this.edgesPath);
      const samples = await this.#append(duck, SAMPLED_INFOHASHES, this.samplesPath);
      const [distinct] = await duck.rows(
        `SELECT count(DISTINCT infohash) AS n FROM sampled_infohashes_new`,
      );
      return {
        nodes: nodeRows.length,
        edges,
        samples,
        infohashes: Number((distinct as { n: bigint }).n),
      };
    } finally {
      duck.close();
      rmSync(nodesPath, { force: true });
    }
  }

  /**
   * Rewrites `table`'s file as its old rows plus the distinct rows of a
   * journal file in its row shape (the store's line format, times in µs);
   * leaves those rows in a temp table `<name>_new` and returns how many there are.
   */
  async #append(
    duck: Duck,
    table: TableSpec,
    journal: string,
    combine: (fresh: string, old: string | undefined) => string = (fresh, old) =>
      old === undefined
        ? `SELECT * FROM ${fresh}`
        : `SELECT * FROM ${old} UNION ALL SELECT * FROM ${fresh}`,
  ): Promise<number> {
    const empty = !existsSync(journal) || statSync(journal).size === 0;
    // A resumed walk may repeat a few rows: the snapshot keeps each once.
    const source = empty
      ? emptySelectSql(table.columns)
      : journalSelectSql(table.columns, [journal]);
    const fresh = `${table.name}_new`;
    await duck.run(`CREATE OR REPLACE TEMP TABLE ${fresh} AS SELECT DISTINCT * FROM (${source})`);
    const file = this.layout.tableFile(table.name);
    const old = existsSync(file) ? `read_parquet(${sqlString(file)})` : undefined;
    await writeDerivedTable(duck, this.layout, table, combine(fresh, old));
    const [count] = await duck.rows(`SELECT count(*) AS n FROM ${fresh}`);
    return Number((count as { n: bigint }).n);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function micros(ms: number): number {
  return Math.round(ms * 1000);
}

/**
 * Where a crawl keeps itself in the data directory: `crawl/state.json`, the
 * nodes of the snapshot in progress (saved every few seconds and on Ctrl-C,
 * so a crawl goes on where it stopped), `crawl/edges.ndjson` and
 * `crawl/samples.ndjson`, its edges and samples appended as they come (in
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
import { parseIp } from '../protocol/net/ip.ts';
import { checkNodeId } from '../protocol/security/bep42.ts';
import { writeDerivedTable } from '../store/derived.ts';
import { Duck } from '../store/duck.ts';
import { sqlString } from '../store/journal-format.ts';
import { type DataLayout, openDataDir } from '../store/layout.ts';
import { type Column, SQL_TYPES } from '../store/schema.ts';
import type { TableSpec } from '../store/tables.ts';
import { CRAWL_EDGES, CRAWL_NODES, SAMPLED_INFOHASHES } from '../store/tables-crawl.ts';
import type { CrawlEdge, CrawlSink, CrawlSnapshot } from './crawl-model.ts';

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
    return join(this.dir, 'edges.ndjson');
  }

  get samplesPath(): string {
    return join(this.dir, 'samples.ndjson');
  }

  /**
   * The sink of the snapshot in progress: rows buffered and appended to the
   * NDJSON files at each `flush` (saveState flushes first, so the files are
   * never behind the state). `fresh` empties them first.
   */
  openSink(snapshot: CrawlSnapshot, fresh: boolean): CrawlSink & { flush(): void } {
    if (fresh) {
      writeFileSync(this.edgesPath, '');
      writeFileSync(this.samplesPath, '');
    }
    const us = micros(snapshot.snapshot);
    let edges: string[] = [];
    let samples: string[] = [];
    const flush = (): void => {
      if (edges.length > 0) appendFileSync(this.edgesPath, `${edges.join('\n')}\n`);
      if (samples.length > 0) appendFileSync(this.samplesPath, `${samples.join('\n')}\n`);
      edges = [];
      samples = [];
    };
    return {
      edge: (e) => {
        edges.push(
          JSON.stringify({
            snapshot: us,
            from_id: e.from,
            from_ip: e.fromAddress,
            from_port: e.fromPort,
            to_id: e.to,
            to_ip: e.toAddress,
            to_port: e.toPort,
          }),
        );
        if (edges.length >= 10_000) flush();
      },
      sample: (x) => {
        samples.push(
          JSON.stringify({
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
    for (const line of readFileSync(this.edgesPath, 'utf8').split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as {
        from_id: string;
        from_ip: string;
        from_port: number;
        to_id: string;
        to_ip: string;
        to_port: number;
      };
      edges.push({
        from: r.from_id,
        fromAddress: r.from_ip,
        fromPort: r.from_port,
        to: r.to_id,
        toAddress: r.to_ip,
        toPort: r.to_port,
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
        return JSON.stringify({
          snapshot: micros(snapshot.snapshot),
          node_id: n.id,
          ip: n.address,
          port: n.port,
          family: n.family,
          client: n.client ?? null,
          bep42: bep42Of(n.id!, n.address),
          first_seen: micros(n.firstSeen ?? snapshot.snapshot),
          last_seen: micros(n.lastSeen ?? snapshot.snapshot),
          asn: e.asn ?? null,
          org: e.org ?? null,
          country: e.country ?? null,
          latitude: e.latitude ?? null,
          longitude: e.longitude ?? null,
        });
      });
    const nodesPath = join(this.layout.tmpDir, `crawl-nodes-${process.pid}.ndjson`);
    writeFileSync(nodesPath, nodeRows.length === 0 ? '' : `${nodeRows.join('\n')}\n`);
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
   * Rewrites `table`'s file as its old rows plus the distinct rows of an
   * NDJSON file in its row shape (times in µs); leaves those rows in a temp
   * table `<name>_new` and returns how many there are.
   */
  async #append(
    duck: Duck,
    table: TableSpec,
    ndjson: string,
    combine: (fresh: string, old: string | undefined) => string = (fresh, old) =>
      old === undefined
        ? `SELECT * FROM ${fresh}`
        : `SELECT * FROM ${old} UNION ALL SELECT * FROM ${fresh}`,
  ): Promise<number> {
    const jsonType = (c: Column) => (c.type === 'timestamp' ? 'BIGINT' : SQL_TYPES[c.type]);
    const columns = table.columns.map((c) => `${sqlString(c.name)}: '${jsonType(c)}'`).join(', ');
    const casts = table.columns
      .map((c) => (c.type === 'timestamp' ? `make_timestamp(${c.name}) AS ${c.name}` : c.name))
      .join(', ');
    const nulls = table.columns.map((c) => `NULL::${jsonType(c)} AS ${c.name}`).join(', ');
    const empty = !existsSync(ndjson) || statSync(ndjson).size === 0;
    // A resumed walk may repeat a few rows: the snapshot keeps each once.
    const source = empty
      ? `(SELECT ${nulls}) WHERE false`
      : `read_json(${sqlString(ndjson)}, format = 'newline_delimited', columns = {${columns}})`;
    const fresh = `${table.name}_new`;
    await duck.run(
      `CREATE OR REPLACE TEMP TABLE ${fresh} AS SELECT DISTINCT ${casts} FROM ${source}`,
    );
    const file = this.layout.tableFile(table.name);
    const old = existsSync(file) ? `read_parquet(${sqlString(file)})` : undefined;
    await writeDerivedTable(duck, this.layout, table, combine(fresh, old));
    const [count] = await duck.rows(`SELECT count(*) AS n FROM ${fresh}`);
    return Number((count as { n: bigint }).n);
  }
}

/** BEP 42 verdict; null where it does not apply (local addresses are exempt). */
function bep42Of(idHex: string, address: string): boolean | null {
  const ip = parseIp(address);
  if (ip === null) return null;
  const check = checkNodeId(nodeIdFromHex(idHex), ip);
  return check.exempt ? null : check.valid;
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

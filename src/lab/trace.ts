/**
 * The trace generator: a scenario's queries written straight into the store
 * as the events the sensor would have recorded, over days of lab time and
 * at millions of rows, with the ground truth beside them. Every event goes
 * through the sensor's own path (encode → parse → toEvent, enriched with the
 * lab overlay), so a trace differs from a live run only in what it leaves
 * out: real sockets, real timing and the answers.
 */

import { MicrosecondStamper } from '../dht/clock.ts';
import { createEnricher, type Enrichment } from '../enrich/index.ts';
import { toHex } from '../protocol/hex.ts';
import { parseKrpc } from '../protocol/krpc/index.ts';
import { toEvent } from '../sensor/to-event.ts';
import { EVENTS } from '../store/datasets.ts';
import { Journal } from '../store/journal.ts';
import { openDataDir } from '../store/layout.ts';
import type { EventRecord } from '../store/schema.ts';
import { deliveries, encodeDelivery } from './delivery.ts';
import { dhtUpkeep } from './dht-upkeep.ts';
import { Directory } from './directory.ts';
import { writeGroundTruth } from './ground-truth.ts';
import { writeOverlayCsv } from './overlay-file.ts';
import { Rng } from './rng.ts';
import { refuseEarlierRun } from './run-dir.ts';
import { labNodeIds, plannedSensorNodes } from './sensor-plan.ts';
import { timeline } from './timeline.ts';
import { DHT_NODE_LABEL, type LabActor, type World } from './world.ts';

export interface TraceOptions {
  /** Called about every 100,000 planned queries with lab time done and total (ms). */
  onProgress?: (doneMs: number, totalMs: number, events: number) => void;
}

export interface TraceResult {
  events: number;
  plannedQueries: number;
  /** Lab time covered, ISO 8601. */
  from: string;
  to: string;
}

/** The journal writer id of traces, so a trace and a live sensor never share files. */
export const TRACE_WRITER_ID = 'lab_trace';

export async function writeTrace(
  world: World,
  dataDir: string,
  options: TraceOptions = {},
): Promise<TraceResult> {
  const { scenario } = world;
  const layout = openDataDir(dataDir, { create: true });
  refuseEarlierRun(dataDir);
  // As a live run does: the overlay beside the events places lab addresses (map, ipinfo).
  writeOverlayCsv(layout.root, world.overlay);
  const sensors = plannedSensorNodes(scenario);
  const nodeIds = labNodeIds(scenario, world.dhtNodes.length);
  const directory = new Directory([
    ...sensors,
    ...world.dhtNodes.map((node, i) => ({
      id: nodeIds[i]!,
      address: node.address,
      port: node.port,
      sensor: false,
    })),
  ]);
  const enricher = createEnricher({ builtin: false, overlay: world.overlay, cacheSize: 0 });
  // Every lab address is known up front: one lookup each, kept for the whole trace
  // (an LRU cache of 100,000 busy addresses costs more than it saves).
  const enrichment = new Map<string, Enrichment>();
  const enrich = (ip: string): Enrichment => {
    let found = enrichment.get(ip);
    if (found === undefined) {
      found = enricher.lookup(ip);
      enrichment.set(ip, found);
    }
    return found;
  };
  const journal = await Journal.open<EventRecord>(layout, EVENTS, {
    writerId: TRACE_WRITER_ID,
    fsync: false,
    rotateAfterMs: 3_600_000,
    // An hour of lab time passes in well under a second: convert two days per process.
    rotationBatch: 48,
  });
  const startMicros = Date.parse(scenario.start) * 1000;
  const lossRng = Rng.derive(scenario.seed, 'network');
  const stamper = new MicrosecondStamper();
  const result: TraceResult = {
    events: 0,
    plannedQueries: 0,
    from: scenario.start,
    to: new Date(Date.parse(scenario.start) + scenario.duration).toISOString(),
  };

  for (const entry of timeline([...world.actors, upkeepActor(world, nodeIds)])) {
    const { query, actor } = entry;
    result.plannedQueries++;
    if (result.plannedQueries % 100_000 === 0) {
      options.onProgress?.(query.at, scenario.duration, result.events);
      // Let the journal's flush timer and rotations run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const from = actor.context.addresses[query.from]!;
    for (const delivery of deliveries(
      query,
      directory,
      lossRng,
      scenario.lossRate,
      () => undefined,
    )) {
      if (!delivery.to.sensor) continue;
      const datagram = encodeDelivery(delivery);
      const atMicros = stamper.stamp(startMicros / 1000 + query.at);
      const received = {
        atMicros,
        from: { address: from.ip, port: from.port, family: 4 as const },
        datagram,
        result: parseKrpc(datagram),
        // A trace's actors hold the tokens a lookup earned them.
        ...(query.method === 'announce_peer' ? { tokenValid: true } : {}),
      };
      journal.append(
        toEvent(
          received,
          { port: delivery.to.port, id: toHex(delivery.to.id) },
          enrich(from.ip),
          false,
        ),
      );
      result.events++;
    }
  }
  options.onProgress?.(scenario.duration, scenario.duration, result.events);
  await journal.close();
  writeGroundTruth(layout.root, { scenario: scenario.name, mode: 'trace', labels: world.labels });
  return result;
}

function upkeepActor(world: World, nodeIds: Uint8Array[]): LabActor {
  const params = { refreshMeanMs: 15 * 60_000, pingMeanMs: 5 * 60_000, nodeIds };
  return {
    name: 'dht',
    label: DHT_NODE_LABEL,
    behavior: dhtUpkeep as LabActor['behavior'],
    params,
    context: {
      rng: Rng.derive(world.scenario.seed, 'dht-upkeep'),
      durationMs: world.scenario.duration,
      addresses: world.dhtNodes.map((n) => ({ ip: n.address, port: n.port })),
      catalogue: world.catalogue,
    },
  };
}

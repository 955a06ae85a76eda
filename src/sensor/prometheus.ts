/**
 * The Prometheus text exposition format (version 0.0.4) of the antenna's
 * counters and gauges, served on 127.0.0.1 when --metrics-port is given.
 */
import { createServer, type Server } from 'node:http';
import type { SensorCounters } from './metrics.ts';

export interface Gauges {
  identities: number;
  identitiesReachable: number;
  routingTableNodes: number;
  kernelDrops: number | undefined;
  eventsPerSecond: number;
}

export function renderPrometheus(counters: SensorCounters, gauges: Gauges): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: [string, number][],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('dhtscope_datagrams_received_total', 'counter', 'Datagrams received on all identities.', [
    ['', counters.received],
  ]);
  metric('dhtscope_events_recorded_total', 'counter', 'Events handed to the store.', [
    ['', counters.recorded],
  ]);
  metric('dhtscope_datagrams_sent_total', 'counter', 'Datagrams sent.', [['', counters.sent]]);
  metric(
    'dhtscope_sends_blocked_total',
    'counter',
    'Outgoing datagrams refused by the passive policy.',
    [['', counters.blockedSends]],
  );
  metric('dhtscope_bytes_received_total', 'counter', 'UDP payload bytes received.', [
    ['', counters.bytesReceived],
  ]);
  metric('dhtscope_bytes_sent_total', 'counter', 'UDP payload bytes sent.', [
    ['', counters.bytesSent],
  ]);
  metric(
    'dhtscope_queries_rate_limited_total',
    'counter',
    'Queries recorded but not answered: their sender exceeded its rate limit.',
    [['', counters.rateLimited]],
  );
  metric(
    'dhtscope_drops_total',
    'counter',
    'Events dropped (not recorded), by reason.',
    Object.entries(counters.drops).map(([r, n]) => [`{reason="${r}"}`, n]),
  );
  metric(
    'dhtscope_malformed_total',
    'counter',
    'Malformed datagrams, by reason code.',
    Object.entries(counters.malformed).map(([r, n]) => [`{reason="${r}"}`, n]),
  );
  metric('dhtscope_queue_depth', 'gauge', 'Events waiting to be written.', [
    ['', counters.queueDepth],
  ]);
  metric('dhtscope_identities', 'gauge', 'Identities (port x node id) running.', [
    ['', gauges.identities],
  ]);
  metric(
    'dhtscope_identities_reachable',
    'gauge',
    'Identities that received a query in the last 10 minutes.',
    [['', gauges.identitiesReachable]],
  );
  metric('dhtscope_routing_table_nodes', 'gauge', 'Contacts in all routing tables.', [
    ['', gauges.routingTableNodes],
  ]);
  metric('dhtscope_events_per_second', 'gauge', 'Events recorded per second, last interval.', [
    ['', gauges.eventsPerSecond],
  ]);
  if (gauges.kernelDrops !== undefined) {
    metric(
      'dhtscope_kernel_udp_drops',
      'gauge',
      'Datagrams the kernel dropped on our sockets (receive buffer full).',
      [['', gauges.kernelDrops]],
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function servePrometheus(port: number, render: () => string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('try /metrics\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

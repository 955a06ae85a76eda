/**
 * A crawl as a graph for graph tools: every node heard of (reached or not)
 * and an edge from each node to each node it returned. GraphML for Gephi,
 * Cytoscape and networkx; JSON as `{nodes, edges}`.
 */
import type { CrawlEdge, CrawlSnapshot } from './crawl-model.ts';

export type GraphFormat = 'graphml' | 'json';

interface GraphNode {
  id: string;
  address: string;
  port: number;
  reached: boolean;
  client?: string;
}

function graphOf(
  snapshot: CrawlSnapshot,
  allEdges: Iterable<CrawlEdge>,
): {
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
} {
  const nodes = new Map<string, GraphNode>();
  for (const n of Object.values(snapshot.nodes)) {
    if (n.id === undefined) continue;
    nodes.set(n.id, {
      id: n.id,
      address: n.address,
      port: n.port,
      reached: n.status === 'done',
      ...(n.client === undefined ? {} : { client: n.client }),
    });
  }
  const edges: { from: string; to: string }[] = [];
  const seen = new Set<string>();
  for (const e of allEdges) {
    if (!nodes.has(e.to))
      nodes.set(e.to, { id: e.to, address: e.toAddress, port: e.toPort, reached: false });
    const key = `${e.from}>${e.to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from: e.from, to: e.to });
  }
  return { nodes: [...nodes.values()], edges };
}

export function renderGraph(
  snapshot: CrawlSnapshot,
  edges: Iterable<CrawlEdge>,
  format: GraphFormat,
): string {
  const graph = graphOf(snapshot, edges);
  if (format === 'json')
    return `${JSON.stringify({ snapshot: new Date(snapshot.snapshot).toISOString(), ...graph })}\n`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="address" for="node" attr.name="address" attr.type="string"/>',
    '  <key id="port" for="node" attr.name="port" attr.type="int"/>',
    '  <key id="reached" for="node" attr.name="reached" attr.type="boolean"/>',
    '  <key id="client" for="node" attr.name="client" attr.type="string"/>',
    `  <graph id="crawl-${new Date(snapshot.snapshot).toISOString()}" edgedefault="directed">`,
  ];
  for (const n of graph.nodes) {
    lines.push(
      `    <node id="${n.id}"><data key="address">${xml(n.address)}</data><data key="port">${n.port}</data><data key="reached">${n.reached}</data>${n.client === undefined ? '' : `<data key="client">${xml(n.client)}</data>`}</node>`,
    );
  }
  for (const e of graph.edges) lines.push(`    <edge source="${e.from}" target="${e.to}"/>`);
  lines.push('  </graph>', '</graphml>', '');
  return lines.join('\n');
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

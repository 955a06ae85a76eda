/**
 * What every active tool does first: parse the bootstrap list, open one
 * read-only node per address family it needs, and put a politeness budget in
 * front of them. Bad input comes back as a reason, never as a throw.
 */
import type { DhtNode } from '../dht/node.ts';
import type { Destination } from '../dht/transport.ts';
import { ActiveQuerier, openActiveNode } from './client.ts';
import { familyOfHost, PUBLIC_BOOTSTRAP, parseEndpoint } from './endpoints.ts';
import { Politeness, type PolitenessOptions } from './politeness.ts';

export interface ActiveSetupOptions {
  /** host:port strings; empty: the public routers. */
  bootstrap: readonly string[];
  /** IPv4 bind address. Default 0.0.0.0. */
  bind?: string;
  /** IPv6 bind address; set (or an IPv6 bootstrap) to walk IPv6 too. */
  bind6?: string;
  politeness?: Partial<PolitenessOptions>;
  timeoutMs?: number;
  /** Our node id (default random). */
  id?: Uint8Array;
}

export interface ActiveSetup {
  bootstrap: Destination[];
  queriers: { 4?: ActiveQuerier; 6?: ActiveQuerier };
  politeness: Politeness;
  close(): Promise<void>;
}

export type ActiveSetupResult = { ok: true; setup: ActiveSetup } | { ok: false; reason: string };

export function parseBootstrap(
  list: readonly string[],
): { ok: true; bootstrap: Destination[] } | { ok: false; reason: string } {
  const bootstrap: Destination[] = [];
  for (const text of list.length > 0 ? list : PUBLIC_BOOTSTRAP) {
    const parsed = parseEndpoint(text);
    if (!parsed.ok) return parsed;
    bootstrap.push(parsed.endpoint);
  }
  return { ok: true, bootstrap };
}

/** Opens the nodes. Binding can fail (address in use, not ours): that throws DhtTransportError. */
export async function openActive(options: ActiveSetupOptions): Promise<ActiveSetupResult> {
  const parsed = parseBootstrap(options.bootstrap);
  if (!parsed.ok) return parsed;
  const { bootstrap } = parsed;
  const wants6 =
    options.bind6 !== undefined || bootstrap.some((b) => familyOfHost(b.address) === 6);
  const wants4 = bootstrap.some((b) => familyOfHost(b.address) !== 6);
  const politeness = new Politeness(options.politeness);
  const nodes: DhtNode[] = [];
  const queriers: ActiveSetup['queriers'] = {};
  const common = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.id === undefined ? {} : { id: options.id }),
  };
  try {
    if (wants4) {
      const node = await openActiveNode({ bind: options.bind ?? '0.0.0.0', ...common });
      nodes.push(node);
      queriers[4] = new ActiveQuerier(node, politeness);
    }
    if (wants6) {
      const node = await openActiveNode({ bind: options.bind6 ?? '::', ...common });
      nodes.push(node);
      queriers[6] = new ActiveQuerier(node, politeness);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.close()));
    throw error;
  }
  return {
    ok: true,
    setup: {
      bootstrap,
      queriers,
      politeness,
      close: async () => {
        await Promise.all(nodes.map((n) => n.close()));
      },
    },
  };
}

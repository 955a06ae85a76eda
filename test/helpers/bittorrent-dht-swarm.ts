/**
 * A swarm of `bittorrent-dht` instances (webtorrent's DHT, npm v11.0.12, with
 * k-rpc 5.1.0, k-rpc-socket 1.11.1, k-bucket 5.1.0) on 127.0.0.1, for interop
 * tests of our own nodes and sensors. Every instance binds its own port on
 * 127.0.0.1 and bootstraps only from the list given: the package's default is
 * the public routers, so the list is always passed explicitly and checked to be
 * loopback.
 *
 * What bittorrent-dht does on the wire (read in node_modules, and seen with a
 * scripted KRPC peer built on encodeKrpc/parseKrpc):
 *
 * Messages. Queries are `{a, q, t, y}` only: no `v`, no `ro`, no `want`; `t` is
 * 2 bytes, a big-endian counter from 1 per socket (k-rpc-socket/index.js,
 * `query`). Answers carry no `v` and no BEP 42 `ip`. IPv4 only: a `udp4`
 * socket, `nodes` but never `nodes6`, and 'host:port' bootstrap strings are
 * split at the first ':' (k-rpc/index.js `parsePeer`), so `::1` cannot work.
 * Everything our `parseKrpc` reads as valid KRPC.
 *
 * Bootstrap. One tick after the constructor (client.js, `process.nextTick(bootstrap)`
 * → `_bootstrap`), it runs `rpc.populate(ownId, find_node{target: ownId})`: an
 * iterative find_node of its own id (k-rpc/index.js `_closest` with
 * background = true). It first asks the bootstrap nodes; then, repeatedly, the
 * 20 closest not yet asked among those learnt from answers' `nodes`; 'ready' is
 * emitted when no query is left in flight. Hence: listen() must be called in
 * the same tick as the constructor (otherwise dgram auto-binds 0.0.0.0 on the
 * first send), and the 'ready' listener must be attached in that tick too
 * (with an empty list, 'ready' fires on the next tick).
 *
 * Does it need `nodes`? No. An answer with only a valid 20-byte `r.id` counts:
 * the responder joins the lookup's table and the routing table (k-rpc
 * `afterQuery` → `add`; `onresponse` → `addNode`), and the lookup simply ends
 * when nobody is left to ask. A bootstrap node that never answers holds
 * 'ready' back for one timeout: 2000 ms checked every 500 ms with a TTL of 4
 * ticks (k-rpc-socket `check`), so 2.0–2.5 s; the `timeout` option
 * (`queryTimeoutMs` here) shortens it. A query or answer from any node with a
 * 20-byte id adds it to the routing table (k-rpc `onquery`/`onresponse`),
 * even an answer with an unknown transaction id (k-rpc-socket `onmessage`
 * emits 'response' before the warning); no reachability check.
 *
 * Answers must come from the IP address queried (k-rpc-socket: `req.peer.host
 * !== rinfo.address` → "Out of order response", discarded); the port is not
 * checked. When the node was learnt with an id (from `nodes`), the answer's
 * `r.id` must equal it, otherwise the query fails with EUNEXPECTEDNODE and the
 * node is removed from the routing table (k-rpc-socket `onmessage`, k-rpc
 * `afterQuery`): a sensor must answer with the id others advertise for it.
 *
 * BEP 42: not implemented at all. Its own id is `randombytes(20)` (k-rpc,
 * `this.id`), no one's id is checked against their IP (there is no crc32c in
 * bittorrent-dht, k-rpc, k-rpc-socket or k-bucket), and it sends no `ip`.
 *
 * get_peers and announce_peer (client.js `lookup`, `_closest`, `announce`).
 * `lookup` is an iterative get_peers over the same `_closest` walk. Each answer
 * with a truthy `r.token` (any byte string, even empty) and a 20-byte `r.id`
 * puts the responder, with its token, in a per-infohash k-bucket (k = 20) kept
 * for 5 minutes (`_tables`, LRU maxAge ROTATE_INTERVAL). Only `r.values`
 * produces 'peer' events; the walk does not stop when values arrive. An answer
 * with only `nodes` and a token — what a passive sensor sends — is therefore
 * fine: its `nodes` are followed, no 'peer' is emitted for it, and the node
 * will receive announce_peer. `announce(infoHash, port)` runs that lookup
 * first unless one for the same infohash ran in the last 5 minutes (then it
 * reuses the stored tokens without any new get_peers), and then sends
 * announce_peer `{id, info_hash, port, implied_port: port ? 0 : 1, token}` to
 * every node of that table (k-rpc `queryAll`, `query` copies `node.token`).
 * No token from anyone → no announce_peer at all and the callback gets "No
 * nodes to query". The callback needs at least one non-error answer to the
 * announce_peer queries, otherwise "All queries failed" (after the timeout if
 * nobody answers; a 203 error counts as a failure).
 *
 * As a server (client.js `_ongetpeers`, `_onannouncepeer`): get_peers is
 * answered with a token (SHA-1 of the querier's IP and a secret rotated every
 * 5 min, both of the last two accepted, so 5–10 min validity) and either
 * `values` (if it stores peers, then no `nodes`) or the closest `nodes`.
 * announce_peer with a bad token → error 203; without a token or with a bad
 * port → silently dropped; otherwise the peer is stored as the sender's IP and
 * `port` (or the UDP source port when `implied_port` is set) and 'announce' is
 * emitted. Unknown methods get no answer.
 *
 * The `host` option of the DHT is not passed: with it, `announce` stores the
 * announcer itself as a peer, and a lookup could find it without any
 * announce_peer having worked.
 */
import { isIPv4 } from 'node:net';
import DHT from 'bittorrent-dht';

export interface SwarmNode {
  /** Node id, lower-case hex. */
  id: string;
  /** UDP port on `host`. */
  port: number;
  host: string;
  dht: DHT;
}

export interface Swarm {
  nodes: SwarmNode[];
  /** Destroys every instance and waits for their sockets to close. */
  close(): Promise<void>;
}

export interface SwarmOptions {
  count: number;
  /** 'host:port' with host in 127.0.0.0/8; empty for none. */
  bootstrap: string[];
  /** Where the instances listen (and bittorrent-dht is IPv4 only). */
  host?: string;
  /** Node ids, one per instance (20 bytes); random where absent. */
  nodeIds?: Uint8Array[];
  /** k-rpc-socket query timeout; bittorrent-dht's default is 2000 ms. */
  queryTimeoutMs?: number;
  /** How long to wait for 'ready' of every instance. */
  readyTimeoutMs?: number;
}

/** True for an IPv4 literal in 127.0.0.0/8. */
export function isLoopbackV4(host: string): boolean {
  return isIPv4(host) && host.startsWith('127.');
}

function checkBootstrap(list: string[]): string[] {
  for (const entry of list) {
    const match = /^([0-9.]+):(\d+)$/.exec(entry);
    if (match === null || !isLoopbackV4(match[1]!) || Number(match[2]) > 65535) {
      throw new RangeError(`bootstrap entry ${entry} is not 127.x.x.x:port`);
    }
  }
  return [...list];
}

function startNode(options: SwarmOptions, index: number): Promise<SwarmNode> {
  const host = options.host ?? '127.0.0.1';
  const nodeId = options.nodeIds?.[index];
  const dht = new DHT({
    // An empty array, never undefined: undefined means the public routers.
    bootstrap: checkBootstrap(options.bootstrap),
    ...(nodeId === undefined ? {} : { nodeId: Buffer.from(nodeId) }),
    ...(options.queryTimeoutMs === undefined ? {} : { timeout: options.queryTimeoutMs }),
  });
  return new Promise<SwarmNode>((resolve, reject) => {
    let listening = false;
    let ready = false;
    const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    const fail = (err: Error) => {
      clearTimeout(timer);
      dht.destroy();
      reject(err);
    };
    const timer = setTimeout(() => {
      fail(new Error(`bittorrent-dht #${index} not ready after ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    const check = () => {
      if (!listening || !ready) return;
      clearTimeout(timer);
      dht.off('error', fail);
      resolve({ id: dht.nodeId.toString('hex'), port: dht.address().port, host, dht });
    };
    dht.once('error', fail);
    // Both in this tick: the bootstrap query goes out on the next one.
    dht.once('ready', () => {
      ready = true;
      check();
    });
    dht.listen(0, host, () => {
      listening = true;
      check();
    });
  });
}

/**
 * Starts `count` instances on `host` (127.0.0.1), in parallel, each
 * bootstrapping from `bootstrap` only, and resolves once all are listening
 * and 'ready'. To make one instance the bootstrap of others, start it alone
 * with `bootstrap: []`, then the others with its `host:port`.
 */
export async function startSwarm(options: SwarmOptions): Promise<Swarm> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackV4(host)) throw new RangeError(`host ${host} is not in 127.0.0.0/8`);
  checkBootstrap(options.bootstrap);
  const started = await Promise.allSettled(
    Array.from({ length: options.count }, (_, i) => startNode(options, i)),
  );
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = () =>
    Promise.all(
      nodes.map((node) => new Promise<void>((resolve) => node.dht.destroy(() => resolve()))),
    ).then(() => undefined);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await close();
    throw failed.reason;
  }
  return { nodes, close };
}

/** `node:port` string of a swarm node, for bootstrap lists. */
export function addressOf(node: SwarmNode): string {
  return `${node.host}:${node.port}`;
}

function withTimeout<T>(
  what: string,
  timeoutMs: number,
  run: (done: (err: Error | null, value?: T) => void) => (() => void) | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let abort: (() => void) | undefined;
    const timer = setTimeout(() => {
      abort?.();
      reject(new Error(`${what} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    abort = run((err, value) => {
      clearTimeout(timer);
      if (err !== null) reject(err);
      else resolve(value as T);
    });
  });
}

/**
 * Iterative get_peers for `infoHash` (dht.lookup). Peers arrive as 'peer'
 * events on `node.dht`: attach the listener before calling. Resolves with the
 * number of nodes that answered.
 */
export function lookup(node: SwarmNode, infoHash: Uint8Array, timeoutMs = 10_000): Promise<number> {
  return withTimeout<number>('lookup', timeoutMs, (done) =>
    node.dht.lookup(Buffer.from(infoHash), (err, answered) => done(err, answered ?? 0)),
  );
}

/**
 * dht.announce: get_peers lookup (unless one for this infohash ran in the last
 * 5 minutes) then announce_peer with each node's token. Resolves with the
 * number of nodes that acknowledged; rejects when no node gave a token ("No
 * nodes to query") or none acknowledged ("All queries failed").
 */
export function announce(
  node: SwarmNode,
  infoHash: Uint8Array,
  port: number,
  timeoutMs = 10_000,
): Promise<number> {
  return withTimeout<number>('announce', timeoutMs, (done) => {
    node.dht.announce(Buffer.from(infoHash), port, (err, acked) => done(err, acked ?? 0));
    return undefined;
  });
}

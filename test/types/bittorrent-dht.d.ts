// The npm `bittorrent-dht` package (v11, ESM) ships no types; only what the
// interop harness (test/helpers/bittorrent-dht-swarm.ts) uses. Byte strings
// it hands out are Node Buffers.
declare module 'bittorrent-dht' {
  import type { EventEmitter } from 'node:events';

  export interface DHTOptions {
    /** 20-byte node id (Buffer or hex); random when absent. */
    nodeId?: Uint8Array | string;
    /**
     * 'host:port' strings or { host, port }. Absent or `true`: the public
     * routers (router.bittorrent.com, …). `false` or `[]`: none.
     */
    bootstrap?: false | (string | { host: string; port: number })[];
    /** When set, `announce` also stores this host as a peer in the local table. */
    host?: string | false;
    /** Maximum queries in flight (k-rpc; 16 by default). */
    concurrency?: number;
    /** Query timeout in ms (k-rpc-socket; 2000 by default, checked every timeout/4). */
    timeout?: number;
    /** k of the routing table and of lookups (k-rpc; 20 by default). */
    k?: number;
  }

  /** A peer as bittorrent-dht reports it. */
  export interface DHTPeer {
    host: string;
    port: number;
  }

  /** The UDP source of a reply (`dgram` rinfo). */
  export interface DHTRemote {
    address: string;
    family: string;
    port: number;
    size: number;
  }

  export interface DHTContact {
    id: Buffer;
    host: string;
    port: number;
  }

  export default class DHT extends EventEmitter {
    constructor(options?: DHTOptions);
    readonly nodeId: Buffer;
    readonly listening: boolean;
    readonly destroyed: boolean;
    /** Set to true just before 'ready' is emitted. */
    readonly ready?: boolean;
    /** The routing table (a k-bucket). */
    readonly nodes: { count(): number; toArray(): DHTContact[] };
    listen(port?: number, address?: string, onlistening?: () => void): void;
    address(): { address: string; family: string; port: number };
    /** get_peers lookup; calls back with the number of nodes that answered. Returns an abort function. */
    lookup(
      infoHash: Uint8Array | string,
      callback?: (err: Error | null, answered?: number) => void,
    ): () => void;
    /** Lookup (unless one ran in the last 5 min) then announce_peer; calls back with the number of acks. */
    announce(
      infoHash: Uint8Array | string,
      port: number,
      callback?: (err: Error | null, acked?: number) => void,
    ): void;
    /** Adds a contact; without an id it pings the address first to learn it. */
    addNode(node: { host: string; port: number; id?: Uint8Array }): void;
    destroy(callback?: () => void): void;
    toJSON(): { nodes: { host: string; port: number }[]; values: Record<string, unknown> };

    on(event: 'ready' | 'listening' | 'close', listener: () => void): this;
    on(event: 'error' | 'warning', listener: (err: Error) => void): this;
    on(
      event: 'peer',
      listener: (peer: DHTPeer, infoHash: Buffer, from: DHTRemote | null) => void,
    ): this;
    on(event: 'announce', listener: (peer: DHTPeer, infoHash: Buffer, from: DHTPeer) => void): this;
    on(event: 'node', listener: (node: DHTContact) => void): this;
    on(event: 'get_peers' | 'find_node', listener: (target: Buffer) => void): this;
    once(event: 'ready' | 'listening' | 'close', listener: () => void): this;
    once(event: 'error' | 'warning', listener: (err: Error) => void): this;
    off(event: string, listener: (...args: never[]) => void): this;
  }
}

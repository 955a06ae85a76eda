// Options of the routing table, with BEP 5's values as defaults.

export interface RoutingTableConfig {
  readonly k: number;
  readonly replacementCacheSize: number;
  readonly questionableAfterMs: number;
  readonly maxFailures: number;
  readonly refreshAfterMs: number;
}

export type RoutingTableOptions = Partial<RoutingTableConfig>;

export const ROUTING_TABLE_DEFAULTS = {
  // BEP 5: "Each bucket can only hold K nodes, currently eight".
  k: 8,
  // Not in BEP 5. Candidates kept per bucket to replace nodes that go bad,
  // so a slot can be refilled without waiting to hear from someone new
  // (libtorrent and mldht keep a bucket-sized replacement list too).
  replacementCacheSize: 8,
  // BEP 5: "After 15 minutes of inactivity, a node becomes questionable."
  questionableAfterMs: 15 * 60_000,
  // BEP 5: nodes are bad when they "fail to respond to multiple queries in a
  // row"; a failed ping should be tried "once more before discarding".
  maxFailures: 2,
  // BEP 5: "Buckets that have not been changed in 15 minutes should be
  // 'refreshed.'"
  refreshAfterMs: 15 * 60_000,
} as const satisfies RoutingTableConfig;

/** The defaults overlaid with the options that are set, checked for sanity. */
export function resolveConfig(options: RoutingTableOptions): RoutingTableConfig {
  const config = { ...ROUTING_TABLE_DEFAULTS, ...definedOnly(options) };
  validateConfig(config);
  return config;
}

function definedOnly(options: RoutingTableOptions): RoutingTableOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function validateConfig(config: RoutingTableConfig): void {
  const integerAtLeast = (name: keyof RoutingTableConfig, min: number) => {
    const value = config[name];
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
    }
  };
  integerAtLeast('k', 1);
  integerAtLeast('replacementCacheSize', 0);
  integerAtLeast('maxFailures', 1);
  for (const name of ['questionableAfterMs', 'refreshAfterMs'] as const) {
    if (!(config[name] >= 0)) throw new RangeError(`${name} must be >= 0, got ${config[name]}`);
  }
}

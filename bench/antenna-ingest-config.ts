/** The antenna the ingest bench measures, in the parent and in the child process alike. */
import { type AntennaConfig, resolveConfig } from '../src/sensor/config.ts';

/**
 * 'answer-all': the whole flood from 16 addresses answered, as the goal asks
 * for answered queries. 'default': the default per-address rate limit, so
 * almost nothing is answered and the rate is that of recording.
 */
export type IngestMode = 'answer-all' | 'default';

export function ingestBenchConfig(dataDir: string, port: number, mode: IngestMode): AntennaConfig {
  return resolveConfig(
    {},
    {
      dataDir,
      bind: '127.0.0.1',
      ports: [port],
      idsPerPort: 1,
      bootstrap: ['127.0.0.1:9'],
      ...(mode === 'answer-all' ? { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } : {}),
    },
    'bench',
  );
}

/**
 * One antenna for the ingest bench, in a process of its own, so it can run
 * under the heap flags `dhtscope antenna` restarts itself with (the parent
 * passes them). Configured as the bench's in-process antenna: one port, one
 * identity, answers not rate-limited.
 *
 *   node [heap flags] bench/antenna-ingest-child.ts PORT DATA_DIR
 *
 * Prints `ready` once bound; then answers each line `count` on stdin with
 * `{"recorded":…,"sent":…,"rssMb":…}`, and stops on `stop` or end of input.
 */
import { createInterface } from 'node:readline';
import { Antenna } from '../src/sensor/antenna.ts';
import { silentLogger } from '../src/sensor/log.ts';
import { ingestBenchConfig } from './antenna-ingest-config.ts';

const port = Number(process.argv[2]);
const dataDir = process.argv[3];
if (!Number.isInteger(port) || dataDir === undefined) {
  process.stderr.write('usage: antenna-ingest-child.ts PORT DATA_DIR\n');
  process.exit(2);
}
const antenna = await Antenna.start(ingestBenchConfig(dataDir, port, 'answer-all'), {
  log: silentLogger,
});
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'count') {
    // status() brings the send counters up to date.
    const { blockedSends } = antenna.status();
    const counts = {
      recorded: antenna.counters.recorded,
      sent: antenna.counters.sent,
      blockedSends,
      rssMb: process.memoryUsage().rss / 1048576,
    };
    process.stdout.write(`${JSON.stringify(counts)}\n`);
  } else if (line === 'stop') break;
}
await antenna.stop();

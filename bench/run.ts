/**
 * `npm run bench`: runs every bench/*.bench.ts in this process and prints its
 * results. `node bench/run.ts krpc` runs only those whose file name contains "krpc".
 * Benchmarks inform, tests gate: a missed goal is printed, never an exit code.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './harness.ts';

const filter = process.argv[2] ?? '';
const files = readdirSync(import.meta.dirname)
  .filter((name) => name.endsWith('.bench.ts') && name.includes(filter))
  .sort();

console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ` +
    `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${new Date().toISOString()}`,
);
for (const file of files) {
  const bench = (await import(pathToFileURL(join(import.meta.dirname, file)).href)) as {
    run(): Promise<BenchResult>;
  };
  const result = await bench.run();
  console.log(`\n== ${file}: ${result.name}`);
  for (const line of result.lines) console.log(line);
}

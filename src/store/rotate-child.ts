/**
 * Rotation in a process of its own: `node rotate-child.(ts|js) <job JSON>`.
 * The writer (the sensor) never loads DuckDB: its library alone is ~47 MB of
 * resident memory, and its allocator kept ~200 MB more after a day of
 * rotations. A killed child leaves its journal in place; the next rotation or
 * start converts it again (rotateJournal is idempotent).
 */
import { datasetNamed } from './datasets.ts';
import { Duck } from './duck.ts';
import type { JournalFile } from './files.ts';
import { DataLayout } from './layout.ts';
import { rotateJournal } from './rotate.ts';

interface RotationJob {
  root: string;
  dataset: string;
  journals: JournalFile[];
}

const job = JSON.parse(process.argv[2] ?? '{}') as RotationJob;
const dataset = datasetNamed(job.dataset);
if (dataset === undefined) {
  process.stderr.write(`unknown dataset ${JSON.stringify(job.dataset)}\n`);
  process.exit(2);
}
// A rotation needs little memory; DuckDB's default limit is 80 % of RAM.
const duck = await Duck.open({ threads: 2, memoryLimit: '128MB' });
let parts = 0;
try {
  for (const journal of job.journals) {
    if ((await rotateJournal(duck, new DataLayout(job.root), dataset, journal)) !== null) parts++;
  }
} finally {
  duck.close();
}
process.stdout.write(`${JSON.stringify({ parts })}\n`);

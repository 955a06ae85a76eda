#!/usr/bin/env node
// The published entry point runs the compiled CLI in dist/ (built by `npm ci`
// through the `prepare` script).
//
// A namespace import: a named import of something an older Node lacks would
// fail before the version check below could say what to do.
import * as nodeModule from 'node:module';

const { unsupportedNode } = await import('../dist/cli/node-version.js');
const problem = unsupportedNode(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(problem);
  process.exit(1);
}

// Node keeps the bytecode it compiles for dist/ in its cache directory (in the
// temporary directory unless NODE_COMPILE_CACHE says otherwise), so later runs
// skip most of compiling it: `pcap analyze` on a small capture, 575 -> 535 ms
// of CPU. Where the cache cannot be written, Node runs without it.
nodeModule.enableCompileCache();
const { run } = await import('../dist/cli/main.js');

process.exitCode = await run(process.argv.slice(2));

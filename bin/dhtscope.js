#!/usr/bin/env node
// The published entry point runs the compiled CLI in dist/ (built by `npm ci`
// through the `prepare` script).
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));

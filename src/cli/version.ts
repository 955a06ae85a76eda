import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version in package.json, read once; works from src/ and from dist/. */
export const VERSION: string = (require('../../package.json') as { version: string }).version;

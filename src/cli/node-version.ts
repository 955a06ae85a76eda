/**
 * The oldest Node.js dhtscope runs on (package.json `engines`). The bin checks
 * it before loading anything else, so an older Node gets a sentence saying what
 * to do instead of a syntax or link error from deep inside a module.
 */
export const OLDEST_NODE = '22.12.0';

/** `a` < `b` for dotted version numbers (`20.20.2`, `v24.1.0`). */
function older(a: string, b: string): boolean {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}

/** What is wrong when `version` (as `process.versions.node` gives it) is too old, or undefined. */
export function unsupportedNode(version: string): string | undefined {
  if (!older(version, OLDEST_NODE)) return undefined;
  return (
    `error: dhtscope needs Node.js ${OLDEST_NODE} or newer; this is Node.js ${version}\n` +
    'hint: run it through npm (npx dhtscope …, npm run …) in the project: `npm ci` installs ' +
    'Node.js 24 as a dev dependency and npm puts it first on the PATH; or install Node.js 24 LTS\n'
  );
}

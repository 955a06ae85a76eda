/**
 * The layering rules of DESIGN.md, checked on the source text: the protocol
 * layer does no I/O and reads no clock, and every layer imports only layers
 * above it in the table. The linter enforces the first rule too; this test
 * also catches what a lint configuration change could let through.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');

/** DESIGN.md's layer table, top to bottom; a layer may import only from layers with a lower or equal rank. */
const LAYER_RANK: Record<string, number> = {
  protocol: 0,
  enrich: 1,
  store: 2,
  dht: 3,
  sensor: 4,
  active: 5,
  capture: 6,
  analysis: 7,
  lab: 8,
  report: 9,
  web: 9,
  cli: 10,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Source without comments, so prose that names a forbidden API is not mistaken for code. */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function imports(path: string): string[] {
  const specifiers: string[] = [];
  const pattern =
    /(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const match of code(path).matchAll(pattern)) {
    specifiers.push((match[1] ?? match[2] ?? match[3])!);
  }
  return specifiers;
}

function layerOf(path: string): string {
  return relative(SRC, path).split('/')[0]!;
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it('every folder under src/ is a layer of DESIGN.md', () => {
    for (const file of files) {
      const layer = layerOf(file);
      assert.ok(layer in LAYER_RANK, `${relative(SRC, file)} is outside the known layers`);
    }
  });

  it('the protocol layer imports no I/O, timers or platform modules', () => {
    const allowed = new Set(['node:crypto']); // hashing is pure computation (BEP 33 uses SHA-1)
    const protocolFiles = files.filter((f) => layerOf(f) === 'protocol');
    assert.ok(protocolFiles.length > 10);
    for (const file of protocolFiles) {
      for (const specifier of imports(file)) {
        if (specifier.startsWith('.')) continue;
        assert.ok(allowed.has(specifier), `${relative(SRC, file)} imports ${specifier}`);
      }
    }
  });

  it('the protocol layer reads no clock, global randomness or timers', () => {
    const forbidden =
      /\b(Date\.now|new Date\(|performance\.now|Math\.random|getRandomValues|randomBytes\(|setTimeout|setInterval|setImmediate|process\.)/;
    for (const file of files.filter((f) => layerOf(f) === 'protocol')) {
      const match = code(file).match(forbidden);
      assert.equal(match, null, `${relative(SRC, file)} uses ${match?.[0]}`);
    }
  });

  it('dependencies point one way: a layer imports only layers above it', () => {
    for (const file of files) {
      const from = layerOf(file);
      for (const specifier of imports(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier);
        const to = layerOf(target);
        assert.ok(
          LAYER_RANK[to]! <= LAYER_RANK[from]!,
          `${relative(SRC, file)} (${from}) imports ${specifier} from the lower layer "${to}"`,
        );
      }
    }
  });
});

/**
 * The capture tables' hash takes a random seed per process, so that keys
 * crafted to share a probe chain under one seed spread under another, and no
 * output depends on which seed a run drew.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AddressTable } from '../../src/capture/addresses.ts';
import { HASH_SEED, hashTripleSeeded } from '../../src/capture/int-hash.ts';

const BUCKETS = 4096;

/** `count` port words whose hash, under `seed`, falls in bucket 0 of BUCKETS for one address pair. */
function crafted(a: number, b: number, seed: number, count: number): number[] {
  const keys: number[] = [];
  for (let ports = 0; keys.length < count; ports++) {
    if ((hashTripleSeeded(a, b, ports, seed) & (BUCKETS - 1)) === 0) keys.push(ports);
  }
  return keys;
}

function bucketsUsed(a: number, b: number, keys: number[], seed: number): number {
  return new Set(keys.map((k) => hashTripleSeeded(a, b, k, seed) & (BUCKETS - 1))).size;
}

describe('the seeded hash of the capture tables', () => {
  const a = 0x0a000001;
  const b = 0x0a000002;
  const attackerSeed = 0x1234;
  const keys = crafted(a, b, attackerSeed, 1500);

  it('1,500 keys that share one bucket under the seed they were made for spread under others', () => {
    assert.equal(bucketsUsed(a, b, keys, attackerSeed), 1);
    // 1,500 random keys in 4,096 buckets use about 1,256 of them.
    for (const seed of [
      attackerSeed ^ 0x5a5a5a5a,
      attackerSeed ^ 0x80000000,
      attackerSeed + 1,
      HASH_SEED,
    ]) {
      if (seed === attackerSeed) continue;
      const used = bucketsUsed(a, b, keys, seed);
      assert.ok(used > 1150, `seed ${seed}: ${used} buckets`);
    }
  });

  it('an address and a port chosen to cancel out in a sum of products do not collide under any seed', () => {
    // Pairs (b, c) with imul(b + K, K') ^ imul(c, K'') constant: one hash under every
    // seed for a hash that only sums the words' products before mixing.
    const k4 = 0xc2b2ae35;
    let inverse = 1;
    for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(k4, inverse));
    const pairs: [number, number][] = [];
    for (let b0 = 1; pairs.length < 1500; b0++) {
      pairs.push([b0, Math.imul(inverse, 12345 ^ Math.imul(b0 + 0x7f4a7c15, 0x85ebca6b))]);
    }
    for (const seed of [1, -7, HASH_SEED]) {
      const used = new Set(
        pairs.map(([b0, c]) => hashTripleSeeded(a, b0, c, seed) & (BUCKETS - 1)),
      );
      assert.ok(used.size > 1150, `seed ${seed}: ${used.size} buckets`);
    }
  });

  it('IPv6 addresses keep one id each through the table growing, whichever way they are written', () => {
    const table = new AddressTable();
    const ids = new Map<string, number>();
    // 5,000 addresses in one /64 (the part a sender chooses), then 5,000 across prefixes.
    for (let i = 0; i < 10_000; i++) {
      const text =
        i < 5000
          ? `2001:db8::${((i * 7919) & 0xffff).toString(16)}:${i.toString(16)}`
          : `2001:db8:${((i * 31) & 0xffff).toString(16)}::1`;
      const id = table.internText(text)!;
      assert.ok(!ids.has(text));
      ids.set(text, id);
    }
    assert.equal(new Set(ids.values()).size, 10_000);
    for (const [text, id] of ids) assert.equal(table.internText(text), id);
    // Another spelling of one address, and its bytes: the same id.
    const bytes = new Uint8Array(16);
    bytes.set([0x20, 0x01, 0x0d, 0xb8], 0);
    bytes[15] = 1;
    assert.equal(
      table.internV6(bytes, new DataView(bytes.buffer), 0),
      table.internText('2001:db8::1'),
    );
    assert.equal(table.internText('2001:0db8:0:0:0:0:0:0001'), table.internText('2001:db8::1'));
    assert.equal(table.text(table.internText('2001:0db8::0001')!), '2001:db8::1');
  });

  it('two processes, each with its own seed, list the same connections in the same order', () => {
    const cli = join(import.meta.dirname, '..', '..', 'bin', 'dhtscope.js');
    const capture = join(import.meta.dirname, '..', 'fixtures', 'capture', 'bt-lab.pcap');
    const runs = [0, 1].map(() =>
      spawnSync(process.execPath, [cli, 'pcap', 'conns', '--csv', capture], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    for (const run of runs) assert.equal(run.status, 0, run.stderr);
    const lines = runs[0]!.stdout.split('\n');
    assert.ok(lines.length > 1000, `${lines.length} lines`);
    assert.equal(runs[1]!.stdout, runs[0]!.stdout);
  });
});

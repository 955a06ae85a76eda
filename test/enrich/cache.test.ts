import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createEnricher, ENRICHER_DEFAULTS } from '../../src/enrich/index.ts';
import { LruCache } from '../../src/enrich/lru-cache.ts';

describe('LRU cache', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined, 'b was used least recently');
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.size, 2);
  });

  it('replacing a key does not grow it', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    cache.set('b', 3);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), 2);
  });

  it('capacity 0 keeps nothing; a negative or fractional capacity is refused', () => {
    const cache = new LruCache<string, number>(0);
    cache.set('a', 1);
    assert.equal(cache.get('a'), undefined);
    assert.throws(() => new LruCache(-1), RangeError);
    assert.throws(() => new LruCache(1.5), RangeError);
  });

  it('never holds more than its capacity (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 15 }))),
        (capacity, operations) => {
          const cache = new LruCache<number, number>(capacity);
          const recent: number[] = []; // a model: keys by recency, most recent last
          for (const [isSet, key] of operations) {
            const present = recent.includes(key);
            // Any use moves a key to the most recent end; a set may add it.
            if (present) recent.splice(recent.indexOf(key), 1);
            if (isSet || present) recent.push(key);
            if (isSet) {
              cache.set(key, key * 10);
              if (recent.length > capacity) recent.shift();
            } else {
              assert.equal(cache.get(key), present ? key * 10 : undefined);
            }
            assert.ok(cache.size <= capacity);
            assert.equal(cache.size, recent.length);
          }
        },
      ),
      { seed: 99, numRuns: 300 },
    );
  });
});

describe('enricher cache', () => {
  const overlay = Array.from({ length: 50 }, (_, i) => ({
    cidr: `127.9.${i}.0/24`,
    asn: 64600 + i,
    label: `net-${i}`,
  }));

  it('repeated lookups return equal, frozen results', () => {
    const enricher = createEnricher({ builtin: false, overlay, cacheSize: 10 });
    const first = enricher.lookup('127.9.3.1');
    const again = enricher.lookup('127.9.3.1');
    assert.deepEqual(first, { asn: 64603, label: 'net-3' });
    assert.equal(again, first, 'served from the cache');
    assert.ok(Object.isFrozen(first), 'callers cannot change what others will be served');
  });

  it('stays within cacheSize, and evicted addresses are looked up again correctly', () => {
    const enricher = createEnricher({ builtin: false, overlay, cacheSize: 10 });
    for (let i = 0; i < 50; i++) {
      assert.equal(enricher.lookup(`127.9.${i}.7`).asn, 64600 + i);
      assert.ok(enricher.cached <= 10);
    }
    assert.equal(enricher.cached, 10);
    assert.deepEqual(enricher.lookup('127.9.0.7'), { asn: 64600, label: 'net-0' });
  });

  it('does not cache strings that are not addresses', () => {
    const enricher = createEnricher({ builtin: false, overlay, cacheSize: 10 });
    for (let i = 0; i < 20; i++) assert.deepEqual(enricher.lookup(`junk-${i}`), {});
    assert.equal(enricher.cached, 0);
  });

  it('cacheSize 0 turns the cache off; the default is documented', () => {
    const enricher = createEnricher({ builtin: false, overlay, cacheSize: 0 });
    assert.deepEqual(enricher.lookup('127.9.1.1'), enricher.lookup('127.9.1.1'));
    assert.equal(enricher.cached, 0);
    assert.equal(ENRICHER_DEFAULTS.cacheSize, 100_000);
  });

  it('a cacheSize that is not a whole number >= 0 is a configuration error', () => {
    for (const cacheSize of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => createEnricher({ builtin: false, cacheSize }), {
        name: 'EnrichmentConfigError',
        message: /is not a whole number of addresses\. Set it to 0/,
      });
    }
  });
});

describe('lookup never throws', () => {
  const enricher = createEnricher({ cacheSize: 1000 });

  it('for any string, and answers only with known fields of the right types', () => {
    const anyText = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.ipV6().map((ip) => `${ip}%eth0`),
    );
    fc.assert(
      fc.property(anyText, (text) => {
        const found = enricher.lookup(text);
        for (const [key, value] of Object.entries(found)) {
          if (key === 'asn') assert.ok(Number.isInteger(value));
          else if (key === 'latitude' || key === 'longitude') assert.equal(typeof value, 'number');
          else if (['org', 'country', 'city', 'label'].includes(key))
            assert.equal(typeof value, 'string');
          else assert.fail(`unknown field ${key}`);
        }
        if (found.country !== undefined) assert.match(found.country, /^[A-Z]{2}$/);
      }),
      { seed: 3, numRuns: 3000 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.ts';
import { createProgress, PLAIN_PROGRESS_EVERY_MS } from '../../src/cli/progress.ts';

function capture(): { io: CliIo; lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    io: {
      out: () => {},
      err: (text) => lines.push(text),
      readStdin: async () => new Uint8Array(0),
    },
  };
}

describe('progress on a pipe', () => {
  it('leaves no line for work shorter than the interval', () => {
    const { io, lines } = capture();
    let now = 1_000;
    const progress = createProgress(io, 'pcap', false, () => now);
    for (let v = 0; v <= 100; v += 10) {
      now += 500;
      progress.update(v, 100, `${v} frames`);
    }
    progress.stop();
    assert.deepEqual(lines, []);
  });

  it('reports long work every interval, then its end once', () => {
    const { io, lines } = capture();
    let now = 0;
    const progress = createProgress(io, 'compute', false, () => now);
    for (let v = 0; v <= 100; v++) {
      now += PLAIN_PROGRESS_EVERY_MS / 4;
      progress.update(v, 100, `step ${v}`);
    }
    progress.update(100, 100, 'again');
    assert.equal(lines.length, 26, lines.join('\n'));
    assert.equal(lines[0], 'compute: 3% step 3');
    assert.equal(lines.at(-2), 'compute: 99% step 99');
    assert.equal(lines.at(-1), 'compute: 100% step 100');
  });
});

describe('progress on a terminal', () => {
  it('loads the bar when first asked for one, and writes notes above it', () => {
    const { io, lines } = capture();
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const progress = createProgress(io, 'pcap', true);
      progress.update(10, 100, '10 frames');
      progress.note('second file');
      progress.update(100, 100, '100 frames');
      progress.stop();
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(lines, [], 'a bar, not plain lines');
    assert.ok(
      written.some((w) => w.includes('second file\n')),
      written.join('|'),
    );
  });
});

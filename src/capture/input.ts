/**
 * Where capture bytes come from: a file or standard input (`-`), gzip-compressed
 * or not (told by the magic bytes, not the name), read in large chunks.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { copyBytes, joinBytes } from './bytes.ts';

/**
 * Reads small enough to fit a core's L2 cache: the kernel's copy into the
 * buffer then writes to lines already cached, and the reader finds the bytes
 * there. Reading a cached 2.4 GB file alone cost 0.18 s of CPU in 256 KiB
 * chunks against 0.88 s in 2 MiB ones; `pcap analyze` on it, 3.4 against
 * 4.2–4.8 s (bench/README.md). Smaller chunks pay more per chunk again.
 */
export const CHUNK_BYTES = 256 * 1024;

/** How long reading may keep the event loop waiting (progress, signals, timers), by default. */
const TURN_EVERY_MS = 50;

export interface OpenCaptureOptions {
  /** Milliseconds of reading after which the event loop gets a turn (default TURN_EVERY_MS). */
  turnEveryMs?: number;
}

export interface CaptureSource {
  /** The file name, or `-`. */
  readonly name: string;
  /** Bytes on disk, when known (for progress); compressed size for gzip. */
  readonly size: number | undefined;
  /** Decompressed capture bytes. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Bytes taken from the file or stdin so far (compressed, for gzip). */
  rawBytesRead(): number;
  /** Whether the input turned out to be gzip (known once reading started). */
  compressed(): boolean;
}

export function openCapture(
  name: string,
  stdin: Readable = process.stdin,
  options: OpenCaptureOptions = {},
): CaptureSource {
  const turnEveryMs = options.turnEveryMs ?? TURN_EVERY_MS;
  // Stat first: a missing file or a directory then throws here, before anything is opened.
  const size = name === '-' ? undefined : fileSize(name);
  let read = 0;
  let gzip = false;
  /**
   * Raw bytes. A file is read synchronously into one reused buffer (no
   * allocation per chunk): the reader copies what it keeps, and the bytes
   * arrive in this core's cache, where a read on libuv's thread pool leaves
   * them in another's and costs a thread hand-off per chunk. The kernel's
   * read-ahead still overlaps a disk with the analysis. Gunzip keeps its
   * input for a while, so once the input is known to be gzip every chunk is
   * a fresh copy.
   */
  async function* rawChunks(): AsyncGenerator<Uint8Array> {
    if (name === '-') {
      for await (const chunk of stdin) {
        const bytes = chunk as Uint8Array;
        read += bytes.length;
        yield bytes;
      }
      return;
    }
    const file = openSync(name, 'r');
    // A plain Uint8Array, not a Buffer: its `subarray` and `slice` are views and copies, as consumers expect.
    const buffer = new Uint8Array(CHUNK_BYTES);
    let turn = performance.now();
    try {
      for (;;) {
        const bytesRead = readSync(file, buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) return;
        read += bytesRead;
        const view = buffer.subarray(0, bytesRead);
        yield gzip ? copyBytes(view) : view;
        // Reads that never wait would starve the event loop: let it turn now and then.
        if (performance.now() - turn >= turnEveryMs) {
          await nextTurn();
          turn = performance.now();
        }
      }
    } finally {
      closeSync(file);
    }
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const source = rawChunks();
    let first = await source.next();
    // Gather at least two bytes to look at the magic.
    while (!first.done && first.value.length < 2) {
      // The next read reuses the buffer `first` points into.
      first = { done: false, value: copyBytes(first.value) };
      const more = await source.next();
      if (more.done) break;
      first = { done: false, value: joinBytes(first.value, more.value) };
    }
    if (first.done) return;
    gzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
    if (gzip) first = { done: false, value: copyBytes(first.value) };
    if (!gzip) {
      try {
        yield first.value;
        yield* source;
      } finally {
        // A reader that stops at the first chunk (no capture) leaves `source` unfinished: close it.
        await source.return(undefined);
      }
      return;
    }
    const gunzip = createGunzip({ chunkSize: 1024 * 1024 });
    const feed = (async () => {
      try {
        if (!gunzip.write(first.value)) await drained(gunzip);
        for await (const chunk of source) {
          // Gunzip is gone (bad data, or the reader stopped early): leaving the loop closes the file.
          if (gunzip.destroyed) break;
          if (!gunzip.write(chunk)) await drained(gunzip);
        }
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    })();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    try {
      for await (const out of gunzip) {
        // Gunzip hands out ≤ 1 MiB pieces: regroup them into large chunks.
        pending.push(out as Uint8Array);
        pendingBytes += (out as Uint8Array).length;
        if (pendingBytes >= CHUNK_BYTES) {
          yield Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
    } catch (error) {
      // A truncated or corrupt stream: what decompressed before it broke is capture
      // all the same, and is read before the error is. The feed is not waited for:
      // it stops at its next chunk, which stdin may be slow to give.
      if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
      throw error;
    }
    if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
    await feed;
  }
  return {
    name,
    size,
    chunks: chunks(),
    rawBytesRead: () => read,
    compressed: () => gzip,
  };
}

/** Size of the file `name`; a directory is refused here, where a missing file is. */
function fileSize(name: string): number {
  const stats = statSync(name);
  if (stats.isDirectory()) throw new Error('is a directory, not a capture file');
  return stats.size;
}

/**
 * Resolves when `stream` wants more, or when it is destroyed (failed, or its
 * reader stopped) and never will: the feed then ends and closes its file.
 */
function drained(stream: Writable): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/**
 * HTTP tracker responses, read from the in-order bytes of both directions of
 * a connection: the initiator's requests (to know which answers a HEAD, which
 * an announce) and the responder's responses, framed by Content-Length,
 * chunked transfer-encoding or the end of the connection, and gunzipped or
 * inflated. A body is kept only when it can be a tracker response: it starts
 * with 'd' (a bencoded dictionary) or it is compressed and answers an
 * announce (or is small); ordinary web traffic is framed and skipped without
 * being copied. Bodies past `maxBodyBytes` are counted and dropped; there is
 * no small fixed limit (Zeek's tracker parser stops at 2 KB).
 *
 * The host that learned is the initiator; the tracker is the responder.
 */
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { TcpStreamRef } from '../types.ts';
import { ByteBuffer } from './byte-buffer.ts';
import { HeaderEndFinder, parseHead } from './http-message.ts';
import type { PredictionSink } from './peers.ts';
import type { Counters } from './stats.ts';
import { readTrackerBody } from './tracker-response.ts';

export interface HttpTrackerOptions {
  /** Largest body kept, compressed and decompressed (4 MB: a tracker answer with 600 k peers). */
  maxBodyBytes: number;
  /** Largest header block. */
  maxHeaderBytes: number;
  /** Compressed bodies that answer no announce request are kept up to this size. */
  maxUnrequestedCompressedBytes: number;
}

export const HTTP_TRACKER_DEFAULTS: Readonly<HttpTrackerOptions> = {
  maxBodyBytes: 4 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  maxUnrequestedCompressedBytes: 64 * 1024,
};

type Phase =
  | 'head'
  | 'length'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-end'
  | 'trailer'
  | 'close'
  | 'dead';

interface RequestInfo {
  head: boolean;
  announce: boolean;
}

/** One direction of an HTTP connection. */
class Direction {
  phase: Phase = 'head';
  readonly headEnd = new HeaderEndFinder();
  readonly headBytes: ByteBuffer;
  /** Bytes left of a Content-Length body or of a chunk. */
  remaining = 0;
  chunkLine = '';
  /** undefined: not decided yet (no body byte seen). */
  keep: boolean | undefined = undefined;
  body: ByteBuffer | undefined;
  encoding: string | undefined;
  announce = false;
  ts = 0;

  constructor(maxHeaderBytes: number) {
    this.headBytes = new ByteBuffer(maxHeaderBytes);
  }
}

/** Both directions of one connection. */
export class HttpConnection {
  readonly request: Direction;
  readonly response: Direction;
  /** Requests not answered yet, oldest first (pipelining). */
  readonly requests: RequestInfo[] = [];

  constructor(options: HttpTrackerOptions) {
    this.request = new Direction(options.maxHeaderBytes);
    this.response = new Direction(options.maxHeaderBytes);
  }
}

export class HttpTrackerExtractor {
  private readonly sink: PredictionSink;
  private readonly counters: Counters;
  private readonly options: HttpTrackerOptions;

  constructor(sink: PredictionSink, counters: Counters, options: HttpTrackerOptions) {
    this.sink = sink;
    this.counters = counters;
    this.options = options;
  }

  connection(): HttpConnection {
    return new HttpConnection(this.options);
  }

  data(
    conn: HttpConnection,
    stream: TcpStreamRef,
    fromInitiator: boolean,
    ts: number,
    data: Uint8Array,
  ): void {
    const dir = fromInitiator ? conn.request : conn.response;
    dir.ts = ts;
    let p = 0;
    while (p < data.length && dir.phase !== 'dead') {
      switch (dir.phase) {
        case 'head': {
          const end = dir.headEnd.scan(data, p);
          const part = data.subarray(p, end < 0 ? data.length : end);
          if (!dir.headBytes.append(part)) {
            this.counters.fail('header-too-large');
            dir.phase = 'dead';
            return;
          }
          if (end < 0) return;
          p = end;
          this.headDone(conn, dir, fromInitiator);
          break;
        }
        case 'length':
        case 'chunk-data': {
          const n = Math.min(dir.remaining, data.length - p);
          this.bodyBytes(conn, dir, data.subarray(p, p + n));
          p += n;
          dir.remaining -= n;
          if (dir.remaining === 0) {
            if (dir.phase === 'length') this.bodyDone(dir, stream);
            else dir.phase = 'chunk-end';
          }
          break;
        }
        case 'chunk-end':
        case 'chunk-size': {
          // Read a line (the CRLF after a chunk's data, or a chunk-size line).
          const lf = data.indexOf(0x0a, p);
          const end = lf < 0 ? data.length : lf;
          if (dir.chunkLine.length + end - p > 1024) {
            this.counters.fail('bad-chunk');
            dir.phase = 'dead';
            return;
          }
          dir.chunkLine += String.fromCharCode(...data.subarray(p, end));
          if (lf < 0) return;
          p = lf + 1;
          const line = dir.chunkLine.trim();
          dir.chunkLine = '';
          if (dir.phase === 'chunk-end') {
            dir.phase = 'chunk-size';
            if (line !== '') {
              this.counters.fail('bad-chunk');
              dir.phase = 'dead';
            }
            break;
          }
          const size = /^[0-9a-fA-F]{1,8}/.exec(line);
          if (size === null) {
            this.counters.fail('bad-chunk');
            dir.phase = 'dead';
            return;
          }
          dir.remaining = Number.parseInt(size[0], 16);
          if (dir.remaining === 0) {
            dir.phase = 'trailer';
            dir.headEnd.reset(true);
          } else {
            dir.phase = 'chunk-data';
          }
          break;
        }
        case 'trailer': {
          const end = dir.headEnd.scan(data, p);
          if (end < 0) return;
          p = end;
          this.bodyDone(dir, stream);
          break;
        }
        case 'close':
          this.bodyBytes(conn, dir, data.subarray(p));
          return;
      }
    }
  }

  /** The connection ended: a body framed by the close is complete now. */
  end(conn: HttpConnection, stream: TcpStreamRef): void {
    const dir = conn.response;
    if (dir.phase === 'close') this.bodyDone(dir, stream);
    else if (dir.phase !== 'head' && dir.phase !== 'dead' && dir.keep === true) {
      this.counters.fail('truncated-body');
    }
  }

  private headDone(conn: HttpConnection, dir: Direction, isRequest: boolean): void {
    const head = parseHead(dir.headBytes.view(), !isRequest);
    dir.headBytes.clear();
    if (head === undefined) {
      if (!isRequest) this.counters.fail('bad-status-line');
      dir.phase = 'dead';
      return;
    }
    dir.keep = undefined;
    dir.encoding = head.encoding;
    if (isRequest) {
      if (conn.requests.length < 64) {
        conn.requests.push({
          head: head.method === 'HEAD',
          announce: head.method === 'GET' && (head.target ?? '').includes('announce'),
        });
      }
      if (head.chunked)
        dir.phase = 'dead'; // a chunked upload: no tracker request looks like that
      else if ((head.contentLength ?? 0) > 0) this.startLength(dir, head.contentLength!);
      return;
    }
    const status = head.status!;
    if (status >= 100 && status < 200) return; // an interim answer: the real one follows
    const request = conn.requests.shift();
    dir.announce = request?.announce === true;
    if (request?.head === true || status === 204 || status === 304) return;
    if (request?.announce === true) this.counters.add('announce_requests');
    if (head.chunked) dir.phase = 'chunk-size';
    else if (head.contentLength !== undefined) {
      if (head.contentLength > 0) this.startLength(dir, head.contentLength);
    } else dir.phase = 'close';
  }

  private startLength(dir: Direction, length: number): void {
    dir.phase = 'length';
    dir.remaining = length;
  }

  /** Body bytes of a response (requests' bodies are skipped). */
  private bodyBytes(conn: HttpConnection, dir: Direction, bytes: Uint8Array): void {
    if (dir === conn.request || bytes.length === 0) return;
    if (dir.keep === undefined) {
      const compressed = dir.encoding !== undefined;
      dir.keep = compressed
        ? dir.encoding === 'gzip' || dir.encoding === 'deflate'
        : bytes[0] === 0x64;
      if (dir.keep) {
        const limit =
          compressed && !dir.announce
            ? this.options.maxUnrequestedCompressedBytes
            : this.options.maxBodyBytes;
        dir.body = new ByteBuffer(limit);
      }
    }
    if (dir.keep !== true) return;
    if (!dir.body!.append(bytes)) {
      // Too large: an unrequested compressed body is just not a tracker's; an announce's is counted.
      if (dir.announce || dir.encoding === undefined) this.counters.fail('body-too-large');
      dir.keep = false;
      dir.body = undefined;
    }
  }

  private bodyDone(dir: Direction, stream: TcpStreamRef): void {
    dir.phase = 'head';
    const body = dir.body;
    const keep = dir.keep;
    dir.body = undefined;
    dir.keep = undefined;
    if (keep !== true || body === undefined) return;
    const plain = this.decompress(body.view(), dir.encoding, dir.announce);
    if (plain === undefined) return;
    const read = readTrackerBody(plain, dir.ts, stream.initiator, this.sink, this.counters);
    if (!read && dir.announce) this.counters.fail('not-a-tracker-response');
  }

  private decompress(
    body: Uint8Array,
    encoding: string | undefined,
    announce: boolean,
  ): Uint8Array | undefined {
    if (encoding === undefined) return body;
    const maxOutputLength = this.options.maxBodyBytes;
    try {
      if (encoding === 'gzip') return gunzipSync(body, { maxOutputLength });
      try {
        return inflateSync(body, { maxOutputLength });
      } catch {
        return inflateRawSync(body, { maxOutputLength }); // some servers send deflate without the zlib wrapper
      }
    } catch (error) {
      if (announce) {
        const tooLarge =
          error instanceof RangeError ||
          (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        this.counters.fail(tooLarge ? 'body-too-large' : 'bad-compression');
      }
      return undefined;
    }
  }
}

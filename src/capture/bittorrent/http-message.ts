/**
 * The little of HTTP/1.x the tracker extractor needs: finding the end of a
 * header block across segments, and reading a request line, a status line and
 * the headers that frame a body (Content-Length, Transfer-Encoding,
 * Content-Encoding).
 */

/**
 * Finds "\r\n\r\n" (or a bare "\n\n") across chunks: feed bytes, learn where
 * the header block ended. State is how much of the terminator was seen.
 */
export class HeaderEndFinder {
  private state = 0;

  reset(afterLineEnd = false): void {
    // Right after a line end, one more empty line ends the block (chunked trailers).
    this.state = afterLineEnd ? 2 : 0;
  }

  /** Index in `data` one past the terminator, or -1 if the block goes on. */
  scan(data: Uint8Array, from: number): number {
    let s = this.state;
    for (let i = from; i < data.length; i++) {
      const c = data[i]!;
      if (c === 0x0a) {
        if (s === 1 || s === 3) s++;
        else if (s === 2)
          s = 4; // bare LF after a line end
        else s = 2; // a bare LF ends a line
        if (s === 4) {
          this.state = 0;
          return i + 1;
        }
      } else if (c === 0x0d) {
        s = s === 2 ? 3 : 1;
      } else {
        s = 0;
      }
    }
    this.state = s;
    return -1;
  }
}

export interface HttpHead {
  /** Request: the method; response: undefined. */
  method?: string;
  /** Request: the target. */
  target?: string;
  /** Response: the status code. */
  status?: number;
  contentLength?: number;
  chunked: boolean;
  /** 'gzip', 'deflate' or undefined (identity). */
  encoding?: string;
}

/** Parses a header block (start line and headers); undefined if the start line is not HTTP. */
export function parseHead(block: Uint8Array, response: boolean): HttpHead | undefined {
  const text = Buffer.from(block.buffer, block.byteOffset, block.length).toString('latin1');
  const lines = text.split(/\r?\n/);
  const start = lines[0]!.split(' ');
  const head: HttpHead = { chunked: false };
  if (response) {
    if (!/^HTTP\/1\.[01]$/.test(start[0] ?? '')) return undefined;
    const status = Number(start[1]);
    if (!Number.isInteger(status) || status < 100 || status > 999) return undefined;
    head.status = status;
  } else {
    if (start.length < 3 || !/^HTTP\/1\.[01]$/.test(start[start.length - 1]!)) return undefined;
    head.method = start[0];
    head.target = start[1];
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') {
      const n = Number(value);
      if (/^[0-9]{1,15}$/.test(value) && Number.isSafeInteger(n)) head.contentLength = n;
    } else if (name === 'transfer-encoding') {
      head.chunked = value.split(',').some((v) => v.trim() === 'chunked');
    } else if (name === 'content-encoding') {
      if (value === 'gzip' || value === 'x-gzip') head.encoding = 'gzip';
      else if (value === 'deflate') head.encoding = 'deflate';
      else if (value !== 'identity' && value !== '') head.encoding = value;
    }
  }
  return head;
}

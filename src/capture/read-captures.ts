/**
 * Feeds capture files, one after the other, through one analyzer (rotated
 * capture files continue each other's connections). A file that turns out
 * truncated or corrupt stops there: what was read before stays analyzed, and
 * the error is returned with the file's result.
 */
import type { CaptureAnalyzer } from './analyzer.ts';
import { CaptureFormatError } from './errors.ts';
import type { CaptureSource } from './input.ts';
import { type CaptureFormat, CaptureReader } from './reader.ts';

export interface FileResult {
  name: string;
  format: CaptureFormat | undefined;
  compressed: boolean;
  /** Capture bytes read (decompressed). */
  bytes: number;
  frames: number;
  error: CaptureFormatError | undefined;
}

export type ProgressCallback = (source: CaptureSource, frames: number) => void;

export async function readCapture(
  source: CaptureSource,
  analyzer: CaptureAnalyzer,
  onProgress?: ProgressCallback,
): Promise<FileResult> {
  const reader = new CaptureReader(analyzer);
  let bytes = 0;
  let error: CaptureFormatError | undefined;
  try {
    for await (const chunk of source.chunks) {
      bytes += chunk.length;
      reader.push(chunk);
      onProgress?.(source, reader.frames);
    }
    reader.end();
  } catch (caught) {
    if (caught instanceof CaptureFormatError) error = caught;
    else if (isZlibError(caught))
      error = gzipError(caught as Error & { code: string }, reader, bytes);
    else throw caught;
  }
  return {
    name: source.name,
    format: reader.format,
    compressed: source.compressed(),
    bytes,
    frames: reader.frames,
    error,
  };
}

/**
 * The gzip stream broke after `bytes` of capture came out of it, all of them read
 * already. The message says where the decompressed capture ends (a compressed
 * offset points at nothing in the capture); the error's record and offset are
 * those of the record the break cut, or of the next one when it fell between two.
 */
function gzipError(
  zlib: Error & { code: string },
  reader: CaptureReader,
  bytes: number,
): CaptureFormatError {
  // Gunzip says Z_BUF_ERROR when its input ran out mid-stream: cut short, not damaged.
  const what =
    zlib.code === 'Z_BUF_ERROR' ? 'gzip stream truncated' : `corrupt gzip data (${zlib.message})`;
  if (reader.format === undefined)
    return reader.errorAtNext(`${what} after ${bytes} bytes, too few for a capture header`);
  const cut = bytes - reader.position;
  return reader.errorAtNext(
    `${what}: the decompressed capture ends at byte offset ${bytes}${
      cut > 0 ? `, ${cut} bytes into this ${reader.unit()}` : ''
    }`,
  );
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

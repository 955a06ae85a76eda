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
    else if (isZlibError(caught)) {
      error = new CaptureFormatError(
        `corrupt gzip data: ${(caught as Error).message}`,
        reader.position,
        reader.records + 1,
      );
    } else throw caught;
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

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

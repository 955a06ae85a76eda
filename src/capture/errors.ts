/**
 * The one error the capture reader throws: the file is not a capture, or it is
 * cut short or corrupt at a known place. Everything read before that place has
 * already been handed on, so a caller can report it and the error together.
 */
export class CaptureFormatError extends Error {
  /** Byte offset (in the decompressed stream) where the bad record starts. */
  readonly offset: number;
  /** 1-based number of the bad record (block, for pcapng); 0 for the file header. */
  readonly record: number;

  /** `unit` names the records as the format does: classic pcap has records, pcapng blocks. */
  constructor(reason: string, offset: number, record: number, unit: 'record' | 'block' = 'record') {
    super(
      record === 0
        ? `${reason} (file header, byte offset ${offset})`
        : `${reason} (${unit} ${record}, byte offset ${offset})`,
    );
    this.name = 'CaptureFormatError';
    this.offset = offset;
    this.record = record;
  }
}

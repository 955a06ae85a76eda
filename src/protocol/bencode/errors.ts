import type { DecodeFailure, DecodeFailureReason, NonCanonical } from './types.ts';

const DESCRIPTIONS: Record<DecodeFailureReason, string> = {
  'unexpected-end': 'input ends in the middle of a value',
  'unexpected-byte': 'byte that cannot start or continue a value here',
  'bad-integer': 'integer is not a decimal number between "i" and "e"',
  'bad-length': 'byte-string length is not a decimal number followed by ":"',
  'key-not-string': 'dictionary key is not a byte string',
  'depth-limit': 'lists and dictionaries nest deeper than allowed',
  'string-limit': 'byte string is longer than allowed',
  'element-limit': 'more values than allowed',
  'integer-limit': 'integer has more digits than allowed',
  'trailing-data': 'bytes follow the first complete value',
  'non-canonical': 'valid bencode, but not in canonical form (strict mode)',
};

export function describeDecodeFailure(reason: DecodeFailureReason): string {
  return DESCRIPTIONS[reason];
}

/**
 * Thrown by `decodeOrThrow` for callers that prefer exceptions (tools, tests).
 * The hot path uses `decode`, which returns failures as values.
 */
export class BencodeDecodeError extends Error {
  readonly reason: DecodeFailureReason;
  readonly offset: number;
  readonly nonCanonical: NonCanonical | undefined;

  constructor(failure: DecodeFailure) {
    super(`bencode: ${describeDecodeFailure(failure.reason)} at byte ${failure.offset}`);
    this.name = 'BencodeDecodeError';
    this.reason = failure.reason;
    this.offset = failure.offset;
    this.nonCanonical = failure.nonCanonical;
  }
}

/** Thrown when asked to encode something bencode cannot represent (a bug in the caller). */
export class BencodeEncodeError extends TypeError {
  readonly path: string;

  constructor(message: string, path: string) {
    super(`bencode: cannot encode ${path || 'value'}: ${message}`);
    this.name = 'BencodeEncodeError';
    this.path = path;
  }
}

export { ByteKeyMap } from './byte-keys.ts';
export { compareBytes, decode, decodeAt, decodeOrThrow, latin1 } from './decode.ts';
export { encode } from './encode.ts';
export { BencodeDecodeError, BencodeEncodeError, describeDecodeFailure } from './errors.ts';
export type {
  BDict,
  BEncodable,
  BList,
  BValue,
  DecodeFailure,
  DecodeFailureReason,
  DecodeLimits,
  DecodeOptions,
  DecodeResult,
  DecodeSuccess,
  NonCanonical,
  NonCanonicalReason,
} from './types.ts';
export { DECODE_FAILURE_REASONS, DEFAULT_DECODE_LIMITS, isDict } from './types.ts';

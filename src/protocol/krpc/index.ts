export { encodeKrpc } from './encode.ts';
export type { FieldKind, FieldProblem, FieldSpec, TableSpec } from './fields.ts';
export { KRPC_DECODE_OPTIONS } from './limits.ts';
export {
  type ParseFailure,
  type ParseOptions,
  type ParseResult,
  type ParseSuccess,
  parseKrpc,
  parseKrpcGeneral,
} from './parse.ts';
export { allRejectReasons, type RejectReason } from './reasons.ts';
export { COMMON_TABLE, QUERY_TABLES, RESPONSE_TABLE, UNKNOWN_QUERY_TABLE } from './tables.ts';
export * from './types.ts';

/**
 * Reason codes for rejected datagrams. Every way a datagram can fail to be a
 * valid KRPC message has exactly one code, so a sensor can keep one counter
 * per code and an analyst can tell a fuzzer from a buggy client.
 */
import { DECODE_FAILURE_REASONS, type DecodeFailureReason } from '../bencode/index.ts';
import { type FieldProblem, possibleProblems } from './fields.ts';
import { ALL_TABLES } from './tables.ts';

/** Structural reasons: the message envelope itself is wrong. */
export const ENVELOPE_REASONS = [
  'message.not-a-dict',
  'message.t.missing',
  'message.t.bad-type',
  'message.y.missing',
  'message.y.bad-type',
  'message.y.bad-value',
  'query.q.missing',
  'query.q.bad-type',
  'query.a.missing',
  'query.a.bad-type',
  'response.r.missing',
  'response.r.bad-type',
  'error.e.missing',
  'error.e.bad-type',
  'error.e.bad-length',
] as const;

export type RejectReason =
  | `bencode.${DecodeFailureReason}`
  | (typeof ENVELOPE_REASONS)[number]
  | `${string}.${string}.${FieldProblem}`;

/** Every reason code this parser can produce (and no other), for pre-registering counters. */
export function allRejectReasons(): RejectReason[] {
  const reasons: RejectReason[] = DECODE_FAILURE_REASONS.map((r) => `bencode.${r}` as const);
  reasons.push(...ENVELOPE_REASONS);
  for (const table of ALL_TABLES) {
    for (const field of table.fields) {
      for (const problem of possibleProblems(field))
        reasons.push(`${table.name}.${field.wire}.${problem}`);
    }
  }
  return [...new Set(reasons)];
}

import type { EventKind } from '../../store/schema.ts';

/** What the live trackers read of an event (a stored EventRecord has all of it). */
export interface LiveEvent {
  ts: number;
  remoteIp: string;
  asn?: number | undefined;
  kind: EventKind;
  target?: string | undefined;
}

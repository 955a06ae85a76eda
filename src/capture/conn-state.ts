/**
 * A TCP connection's final state, in the style of Zeek's `conn_state`, derived
 * from what each side was seen to send. The originator is the side that sent
 * the first SYN (or, with the SYN missed, the side a SYN-ACK went to).
 *
 * | state  | meaning |
 * | ------ | ------- |
 * | S0     | SYN seen, no reply |
 * | REJ    | SYN answered by a RST |
 * | S1     | established, not closed |
 * | SF     | established, closed by both sides |
 * | S2 / S3 | established, only the originator / responder closed |
 * | RSTO / RSTR | established (or answered), then reset by originator / responder |
 * | RSTOS0 | originator sent SYN then RST, no SYN-ACK seen |
 * | RSTRH  | responder sent SYN-ACK then RST, originator's SYN not seen |
 * | SH     | originator sent SYN then FIN, no SYN-ACK seen |
 * | SHR    | responder sent SYN-ACK then FIN, originator's SYN not seen |
 * | OTH    | no SYN seen: midstream traffic |
 */

export type ConnState =
  | 'S0'
  | 'REJ'
  | 'S1'
  | 'SF'
  | 'S2'
  | 'S3'
  | 'RSTO'
  | 'RSTR'
  | 'RSTOS0'
  | 'RSTRH'
  | 'SH'
  | 'SHR'
  | 'OTH';

export const CONN_STATES: readonly ConnState[] = [
  'S0',
  'REJ',
  'S1',
  'SF',
  'S2',
  'S3',
  'RSTO',
  'RSTR',
  'RSTOS0',
  'RSTRH',
  'SH',
  'SHR',
  'OTH',
];

// What one side sent, as bits of `FlowEvents.orig` / `.resp`.
export const SENT_SYN = 1;
export const SENT_SYNACK = 2;
export const SENT_ACK = 4;
export const SENT_DATA = 8;
export const SENT_FIN = 16;
export const SENT_RST = 32;
export const SENT_ANY = 64;

/** History letters, in the bit order above; upper case is the originator's. */
const LETTERS = ['s', 'h', 'a', 'd', 'f', 'r'];

export function historyLetter(bit: number, fromOriginator: boolean): string {
  const letter = LETTERS[31 - Math.clz32(bit)]!;
  return fromOriginator ? letter.toUpperCase() : letter;
}

/**
 * History letters packed as numbers, 4 bits each in the order first seen, so
 * a connection's history costs no string until someone reads it: codes 1–6
 * are the originator's SENT_* bits from the lowest, 7–12 the responder's.
 */
export const HISTORY_CODES_PER_WORD = 6;

export function historyCode(bit: number, fromOriginator: boolean): number {
  return 1 + (31 - Math.clz32(bit)) + (fromOriginator ? 0 : 6);
}

/** Letters in a history: one per SENT_* bit (but SENT_ANY) each side has set. */
export function historyLength(orig: number, resp: number): number {
  return bitCount(orig & ~SENT_ANY) + bitCount(resp & ~SENT_ANY);
}

function bitCount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/** The history of a side that sent `orig` and one that sent `resp`, from its two packed words. */
export function historyText(low: number, high: number, orig: number, resp: number): string {
  const count = historyLength(orig, resp);
  let text = '';
  for (let p = 0; p < count; p++) {
    const word = p < HISTORY_CODES_PER_WORD ? low : high;
    const code = ((word >> (4 * (p % HISTORY_CODES_PER_WORD))) & 15) - 1;
    text += historyLetter(1 << (code % 6), code < 6);
  }
  return text;
}

/**
 * The state from the originator's and responder's sent-bits; `firstRstByOrig`
 * tells who reset first when both did.
 */
export function connState(orig: number, resp: number, firstRstByOrig: boolean): ConnState {
  const origSyn = (orig & SENT_SYN) !== 0;
  const respSynAck = (resp & SENT_SYNACK) !== 0;
  if (origSyn && !respSynAck) {
    if (resp & SENT_RST) return 'REJ';
    if (orig & SENT_RST) return 'RSTOS0';
    if (orig & SENT_FIN) return 'SH';
    return resp & SENT_ANY ? 'OTH' : 'S0';
  }
  if (!origSyn && !respSynAck) return 'OTH';
  if (!origSyn && (orig & (SENT_ACK | SENT_DATA)) === 0) {
    if (resp & SENT_RST) return 'RSTRH';
    if (resp & SENT_FIN) return 'SHR';
  }
  const origRst = (orig & SENT_RST) !== 0;
  const respRst = (resp & SENT_RST) !== 0;
  if (origRst && (!respRst || firstRstByOrig)) return 'RSTO';
  if (respRst) return 'RSTR';
  const origFin = (orig & SENT_FIN) !== 0;
  const respFin = (resp & SENT_FIN) !== 0;
  if (origFin && respFin) return 'SF';
  if (origFin) return 'S2';
  if (respFin) return 'S3';
  return 'S1';
}

/**
 * A failed attempt, as the scan detector counts it: the originator sent a SYN,
 * no payload went either way, and the connection never got going — no answer
 * (S0), refused (REJ), given up (RSTOS0, SH), or answered and then reset before
 * any data (RSTO, RSTR: a SYN scan hitting an open port looks like this).
 * RSTRH and SHR are not counted: their SYN was not seen, so who probed whom
 * is a guess (backscatter looks the same).
 */
export function isFailedAttempt(state: ConnState, orig: number, resp: number): boolean {
  if ((orig & SENT_SYN) === 0 || ((orig | resp) & SENT_DATA) !== 0) return false;
  return (
    state === 'S0' ||
    state === 'REJ' ||
    state === 'RSTOS0' ||
    state === 'SH' ||
    state === 'RSTO' ||
    state === 'RSTR'
  );
}

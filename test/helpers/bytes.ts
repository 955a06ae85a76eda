/** Small byte helpers shared by tests. */
export const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
export const fromHex = (hex: string): Uint8Array =>
  new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
export const toText = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Reproducible randomness for property and fuzz tests. */
export { seededRandomBytes as seededBytes } from '../../src/protocol/random.ts';

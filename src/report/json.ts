/**
 * The JSON conventions of `--json` output: byte strings become lowercase hex,
 * bigints become decimal strings, so any JSON reader can take them.
 */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toJsonValue(item);
    }
    return out;
  }
  return value;
}

export function toJson(value: unknown): string {
  return JSON.stringify(toJsonValue(value), null, 2);
}

import { toHex } from '../protocol/hex.ts';

/** Bytes as text when they are printable ASCII, else null. */
export function printableAscii(bytes: Uint8Array): string | null {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return null;
  }
  return String.fromCharCode(...bytes);
}

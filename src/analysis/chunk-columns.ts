/**
 * Numeric columns of a DuckDB result chunk as typed arrays, for readers
 * that stream millions of rows: going through JS arrays of numbers cost
 * them more than the rest of their work.
 */
import type { DuckDBDataChunk } from '@duckdb/node-api';

/**
 * A numeric column of a chunk as a typed array. The DuckDB client keeps a
 * fixed-width vector's items as a typed array over DuckDB's own buffer; it
 * is not part of its declared interface, so anything else falls back to the
 * per-item conversion.
 */
export function typedColumn<T extends Int32Array | Float64Array | Uint8Array>(
  chunk: DuckDBDataChunk,
  k: number,
  n: number,
  Type: { new (length: number): T; from(values: ArrayLike<number>): T },
): T {
  const items = (chunk.getColumnVector(k) as unknown as { items?: unknown }).items;
  if (items instanceof (Type as unknown as typeof Int32Array) && items.length >= n)
    return (items as unknown as T).subarray(0, n) as T;
  return Type.from(chunk.getColumnValues(k) as number[]);
}

export const int32s = (chunk: DuckDBDataChunk, k: number, n: number) =>
  typedColumn(chunk, k, n, Int32Array);
export const float64s = (chunk: DuckDBDataChunk, k: number, n: number) =>
  typedColumn(chunk, k, n, Float64Array);
export const uint8s = (chunk: DuckDBDataChunk, k: number, n: number) =>
  typedColumn(chunk, k, n, Uint8Array);

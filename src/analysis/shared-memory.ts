/**
 * Memory worker threads share: typed arrays on SharedArrayBuffers, and
 * lists of strings packed into them. Copying three million strings into
 * each worker by structured clone costs seconds and a copy of the heap
 * each, while packing them once as UTF-8 and decoding each one in the
 * worker the first time it is asked for costs a fraction of that.
 */

export type Column = Int32Array | Float64Array | Uint8Array;
export type ColumnType<T extends Column> = {
  new (buffer: SharedArrayBuffer): T;
  BYTES_PER_ELEMENT: number;
};

/** A typed array of `n` items in memory that worker threads can share. */
export function sharedArray<T extends Column>(Type: ColumnType<T>, n: number): T {
  return new Type(new SharedArrayBuffer(n * Type.BYTES_PER_ELEMENT));
}

export interface PackedStrings {
  /** UTF-8 bytes of every string, one after the other. */
  bytes: Uint8Array;
  /** String i is bytes[offsets[i]] … bytes[offsets[i + 1] − 1]. */
  offsets: Int32Array;
}

export function packStrings(strings: readonly (string | undefined)[]): PackedStrings {
  const offsets = sharedArray(Int32Array, strings.length + 1);
  let size = 0;
  for (let i = 0; i < strings.length; i++) {
    offsets[i] = size;
    size += Buffer.byteLength(strings[i] ?? '', 'utf8');
  }
  offsets[strings.length] = size;
  const bytes = sharedArray(Uint8Array, size);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < strings.length; i++) view.write(strings[i] ?? '', offsets[i]!, 'utf8');
  return { bytes, offsets };
}

/** Reads packed strings back, decoding each once. */
export function unpackedStrings(packed: PackedStrings): (id: number) => string {
  const view = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  const { offsets } = packed;
  const cache: (string | undefined)[] = new Array(offsets.length - 1);
  return (id) => {
    let s = cache[id];
    if (s === undefined) {
      s = view.toString('utf8', offsets[id]!, offsets[id + 1]!);
      cache[id] = s;
    }
    return s;
  };
}

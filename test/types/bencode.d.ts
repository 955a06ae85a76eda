// The npm `bencode` package ships no types; only what the tests and benchmarks use.
declare module 'bencode' {
  const bencode: {
    decode(data: Uint8Array, start?: number, end?: number, encoding?: string): unknown;
    encode(value: unknown): Uint8Array;
  };
  export default bencode;
}

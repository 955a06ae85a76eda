/**
 * One JS string per distinct id, target or transaction id of a stream.
 * DuckDB hands a 40-character string to JS slowly (a native call and a
 * decode for each one), so the reader sends each string's hash as two
 * 31-bit integers and decodes the string itself only the first time its
 * hash comes by; every later event shares that one string. The detectors
 * thus still see exactly the strings the store holds, as long as no two of
 * them share a 62-bit hash (a few million distinct ids: about one chance in
 * a hundred thousand per run).
 *
 * The table is open addressing over typed arrays, indexed by the hash's own
 * low bits: they are already uniform, and a Map keyed by two numbers would
 * box every key.
 */

/** A column of strings read one item at a time (a DuckDB vector). */
export interface StringColumn {
  getItem(row: number): unknown;
}

export class HashedStrings {
  /** Every distinct string, by id. */
  readonly strings: string[] = [];
  /** Two words per slot: the hash's high and low halves. */
  private keys = new Int32Array(2 << 16);
  /** Id per slot, −1 when empty. */
  private ids = new Int32Array(1 << 16).fill(-1);
  private mask = (1 << 16) - 1;

  /** The id of the string with this hash (two 31-bit halves), reading it from row `row` of `column` if new. */
  id(high: number, low: number, column: StringColumn, row: number): number {
    const keys = this.keys;
    const ids = this.ids;
    const mask = this.mask;
    let slot = low & mask;
    for (;;) {
      const known = ids[slot]!;
      if (known < 0) break;
      if (keys[2 * slot + 1] === low && keys[2 * slot] === high) return known;
      slot = (slot + 1) & mask;
    }
    const id = this.strings.length;
    this.strings.push(column.getItem(row) as string);
    keys[2 * slot] = high;
    keys[2 * slot + 1] = low;
    ids[slot] = id;
    if (2 * this.strings.length > ids.length) this.grow();
    return id;
  }

  private grow(): void {
    const { keys, ids } = this;
    const n = ids.length * 2;
    this.keys = new Int32Array(2 * n);
    this.ids = new Int32Array(n).fill(-1);
    this.mask = n - 1;
    for (let from = 0; from < ids.length; from++) {
      const id = ids[from]!;
      if (id < 0) continue;
      const high = keys[2 * from]!;
      const low = keys[2 * from + 1]!;
      let slot = low & this.mask;
      while (this.ids[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.keys[2 * slot] = high;
      this.keys[2 * slot + 1] = low;
      this.ids[slot] = id;
    }
  }
}

/** SQL for two 31-bit halves of a column's 64-bit hash, as INTEGERs named `<name>_hi` and `<name>_lo`. */
export function hashHalvesSql(column: string, name: string): string {
  return `(hash(${column}) >> 33)::INTEGER AS ${name}_hi, (hash(${column}) & 2147483647)::INTEGER AS ${name}_lo`;
}

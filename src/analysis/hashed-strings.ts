/**
 * One JS string per distinct id, target or transaction id of a stream.
 * DuckDB hands a 40-character string to JS slowly (a native call and a
 * decode for each one), so the reader sends each string's 64-bit hash as
 * two numbers and decodes the string itself only the first time its hash
 * comes by; every later event shares that one string. The detectors thus
 * still see exactly the strings the store holds, as long as no two of
 * them share a hash (a few million distinct ids among 2^64 hashes: about
 * one chance in ten million per run).
 */
import { NumberTupleTable } from './number-tuple-table.ts';

/** A column of strings read one item at a time (a DuckDB vector). */
export interface StringColumn {
  getItem(row: number): unknown;
}

export class HashedStrings {
  /** Every distinct string, by id. */
  readonly strings: string[] = [];
  private readonly ids = new NumberTupleTable(2, 1 << 16);

  /** The id of the string with this hash (high and low 32 bits), reading it from row `row` of `column` if new. */
  id(high: number, low: number, column: StringColumn, row: number): number {
    const slot = this.ids.find(high, low, 0, 0);
    const known = this.ids.valueAt(slot);
    if (known >= 0) return known;
    this.strings.push(column.getItem(row) as string);
    const id = this.strings.length - 1;
    this.ids.insertAt(slot, id, high, low, 0, 0);
    return id;
  }
}

/** SQL for the two halves of a column's hash, as DOUBLEs named `<name>_hi` and `<name>_lo`. */
export function hashHalvesSql(column: string, name: string): string {
  return `(hash(${column}) >> 32)::DOUBLE AS ${name}_hi, (hash(${column}) & 4294967295)::DOUBLE AS ${name}_lo`;
}

/**
 * Streaming reader for classic pcap (µs and ns timestamps, either byte order)
 * and pcapng (any number of sections of either byte order, interfaces with
 * their timestamp resolution, enhanced, simple and obsolete packet blocks; all
 * other blocks skipped). Chunks of any size go in through `push`; every frame
 * comes out through one call of the sink with a view into the chunk, so no
 * object is made per packet. A record cut by a chunk boundary is stitched from
 * the tail of one chunk and just enough of the next.
 */
import { copyBytes } from './bytes.ts';
import { CaptureFormatError } from './errors.ts';

export interface FrameSink {
  /** One frame: `caplen` bytes at `offset` of `bytes`; `view` covers `bytes`. `ts` in µs since the epoch. */
  frame(
    linkType: number,
    ts: number,
    bytes: Uint8Array,
    view: DataView,
    offset: number,
    caplen: number,
  ): void;
}

export type CaptureFormat = 'pcap' | 'pcapng';

const PCAP_HEADER = 24;
const PCAP_RECORD = 16;
const NG_SHB = 0x0a0d0d0a;
const NG_BOM = 0x1a2b3c4d;
const NG_IDB = 1;
const NG_OPB = 2;
const NG_SPB = 3;
const NG_EPB = 6;
/** Larger records than this are taken as corruption, not as packets. */
const MAX_RECORD = 64 * 1024 * 1024;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second. */
  unitsPerSecond: number;
}

export class CaptureReader {
  format: CaptureFormat | undefined;
  /** Frames handed to the sink. */
  frames = 0;
  /**
   * Records read, as error messages number them: classic pcap counts packet
   * records (the file header is not one: the first packet is record 1), pcapng
   * counts blocks (the section header is block 1).
   */
  records = 0;
  /**
   * Bytes consumed so far (decompressed), kept in a float64 array: the count
   * passes 2^31 on captures over 2 GiB, and a plain field turning from a small
   * integer into a float64 there made V8 drop and recompile the record loop.
   */
  private readonly consumed = new Float64Array(1);
  private readonly sink: FrameSink;
  private tail: Uint8Array | undefined;
  private little = true;
  private nano = false;
  private linkType = 0;
  private snaplen = 0;
  private interfaces: Interface[] = [];

  constructor(sink: FrameSink) {
    this.sink = sink;
  }

  /** Bytes consumed so far (decompressed). */
  get position(): number {
    return this.consumed[0]!;
  }

  /** Reads every complete record of `chunk` (after what is left of the previous one). */
  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.tail !== undefined) {
      const tail = this.tail;
      // Join only what completes the record that spans the chunks (most are
      // under 4 KiB), not a large slice of the next chunk: that copy, made at
      // every chunk boundary, would cost more than the records it frames.
      let take = Math.min(chunk.length, 4 * 1024);
      for (;;) {
        const joined = new Uint8Array(tail.length + take);
        joined.set(tail, 0);
        joined.set(chunk.subarray(0, take), tail.length);
        const stop = this.parse(joined);
        if (stop >= tail.length) {
          this.tail = undefined;
          data = chunk.subarray(stop - tail.length);
          break;
        }
        if (take === chunk.length) {
          this.tail = copyBytes(joined, stop);
          return;
        }
        take = Math.min(chunk.length, take * 4);
      }
    }
    const stop = this.parse(data);
    if (stop < data.length) this.tail = copyBytes(data, stop);
  }

  /** The input ended: anything left over is a truncated record. */
  end(): void {
    const left = this.tail?.length ?? 0;
    if (this.format === undefined) {
      throw new CaptureFormatError(
        left === 0
          ? 'empty input: not a capture'
          : `input too short for a capture header (${left} bytes)`,
        0,
        0,
      );
    }
    if (left > 0) {
      throw this.errorAtNext(`truncated: the input ends ${left} bytes into this ${this.unit()}`);
    }
  }

  /** Consumes complete records from `buf`; returns where the first incomplete one starts. */
  private parse(buf: Uint8Array): number {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    if (this.format === undefined) {
      if (buf.length < 4) return 0;
      const magic = view.getUint32(0, false);
      if (magic === NG_SHB) this.format = 'pcapng';
      else {
        if (buf.length < PCAP_HEADER) return 0;
        this.readPcapHeader(view);
        at = PCAP_HEADER;
        this.consumed[0]! += PCAP_HEADER;
      }
    }
    return this.format === 'pcap' ? this.parsePcap(buf, view, at) : this.parseNg(buf, view, at);
  }

  private readPcapHeader(view: DataView): void {
    const magic = view.getUint32(0, false);
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.little = false;
    else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.little = true;
    else {
      throw new CaptureFormatError(
        `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`,
        0,
        0,
      );
    }
    this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    this.format = 'pcap';
    this.snaplen = view.getUint32(16, this.little);
    // The upper bits may carry FCS information; the link type is the low 16.
    this.linkType = view.getUint32(20, this.little) & 0xffff;
  }

  private parsePcap(buf: Uint8Array, view: DataView, start: number): number {
    const little = this.little;
    const limit = Math.max(this.snaplen, 262_144);
    const sink = this.sink;
    const linkType = this.linkType;
    let at = start;
    while (at + PCAP_RECORD <= buf.length) {
      const caplen = view.getUint32(at + 8, little);
      if (caplen > limit || caplen > MAX_RECORD) {
        throw this.errorAtNext(
          `corrupt record: captured length ${caplen} exceeds the snapshot length ${this.snaplen}`,
        );
      }
      const next = at + PCAP_RECORD + caplen;
      if (next > buf.length) break;
      const sec = view.getUint32(at, little);
      const frac = view.getUint32(at + 4, little);
      const ts = sec * 1_000_000 + (this.nano ? Math.floor(frac / 1000) : frac);
      this.records++;
      this.consumed[0]! += next - at;
      this.frames++;
      sink.frame(linkType, ts, buf, view, at + PCAP_RECORD, caplen);
      at = next;
    }
    return at;
  }

  private parseNg(buf: Uint8Array, view: DataView, start: number): number {
    let at = start;
    while (at + 12 <= buf.length) {
      // The section header's type reads the same in both byte orders.
      const type = view.getUint32(at, this.little);
      if (type === NG_SHB) {
        // A new section may switch byte order: read it from the byte-order magic.
        const bom = view.getUint32(at + 8, true);
        if (bom === NG_BOM) this.little = true;
        else if (bom === 0x4d3c2b1a) this.little = false;
        else {
          throw this.errorAtNext(`corrupt section header: byte-order magic 0x${bom.toString(16)}`);
        }
      }
      const length = view.getUint32(at + 4, this.little);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
        throw this.errorAtNext(`corrupt block: total length ${length}`);
      }
      if (at + length > buf.length) break;
      if (view.getUint32(at + length - 4, this.little) !== length) {
        throw this.errorAtNext(
          'corrupt block: its trailing length does not match its leading length',
        );
      }
      this.records++;
      this.block(type, buf, view, at, length);
      this.consumed[0]! += length;
      at += length;
    }
    return at;
  }

  /** What this format's records are called in messages. */
  unit(): 'record' | 'block' {
    return this.format === 'pcapng' ? 'block' : 'record';
  }

  /**
   * An error at the record that starts at `position`, not yet read (it is
   * incomplete or bad); before the file header, at the header.
   */
  errorAtNext(reason: string): CaptureFormatError {
    const record = this.format === undefined ? 0 : this.records + 1;
    return new CaptureFormatError(reason, this.position, record, this.unit());
  }

  /** An error in the block being read (counted already, its bytes not yet). */
  private corrupt(reason: string): CaptureFormatError {
    return new CaptureFormatError(reason, this.position, this.records, this.unit());
  }

  private block(type: number, buf: Uint8Array, view: DataView, at: number, length: number): void {
    const little = this.little;
    switch (type) {
      case NG_SHB:
        if (length < 28) throw this.corrupt(`corrupt section header: length ${length}`);
        this.interfaces = [];
        return;
      case NG_IDB: {
        if (length < 20) throw this.corrupt(`corrupt interface block: length ${length}`);
        this.interfaces.push({
          linkType: view.getUint16(at + 8, little),
          snaplen: view.getUint32(at + 12, little),
          unitsPerSecond: readTsResolution(view, at + 16, at + length - 4, little),
        });
        return;
      }
      case NG_EPB:
      case NG_OPB: {
        if (length < 32) throw this.corrupt(`corrupt packet block: length ${length}`);
        const id =
          type === NG_EPB ? view.getUint32(at + 8, little) : view.getUint16(at + 8, little);
        const iface = this.interfaces[id];
        if (iface === undefined)
          throw this.corrupt(`packet block names interface ${id}, never described`);
        const caplen = view.getUint32(at + 20, little);
        if (caplen > length - 32) {
          throw this.corrupt(`corrupt packet block: captured length ${caplen} exceeds the block`);
        }
        const ts = toMicros(
          view.getUint32(at + 12, little),
          view.getUint32(at + 16, little),
          iface,
        );
        this.frames++;
        this.sink.frame(iface.linkType, ts, buf, view, at + 28, caplen);
        return;
      }
      case NG_SPB: {
        const iface = this.interfaces[0];
        if (iface === undefined) throw this.corrupt('simple packet block before any interface');
        if (length < 16) throw this.corrupt(`corrupt simple packet block: length ${length}`);
        const original = view.getUint32(at + 8, little);
        let caplen = Math.min(original, length - 16);
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        this.frames++;
        // A simple packet block has no timestamp.
        this.sink.frame(iface.linkType, 0, buf, view, at + 12, caplen);
        return;
      }
      default:
        return;
    }
  }
}

/** `if_tsresol` (option 9) of an interface block, as units per second; 10^6 by default. */
function readTsResolution(view: DataView, start: number, end: number, little: boolean): number {
  let at = start;
  while (at + 4 <= end) {
    const code = view.getUint16(at, little);
    const length = view.getUint16(at + 2, little);
    if (code === 0) break;
    if (code === 9 && length >= 1 && at + 5 <= end) {
      const value = view.getUint8(at + 4);
      const exponent = value & 0x7f;
      if (exponent > 60) return 1_000_000;
      return value & 0x80 ? 2 ** exponent : 10 ** exponent;
    }
    at += 4 + ((length + 3) & ~3);
  }
  return 1_000_000;
}

function toMicros(high: number, low: number, iface: Interface): number {
  const units = iface.unitsPerSecond;
  if (units === 1_000_000) return high * 4_294_967_296 + low;
  if (units === 1_000_000_000) {
    // 2^32 = 4,294,967 × 1000 + 296: split so nothing passes 2^53.
    return high * 4_294_967 + Math.floor((high * 296 + low) / 1000);
  }
  return Math.floor(((high * 4_294_967_296 + low) * 1_000_000) / units);
}

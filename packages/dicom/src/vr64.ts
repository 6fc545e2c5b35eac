/**
 * dicom-parser 1.8.21 predates the 64-bit VRs OV, SV and UV (PS3.5 §6.2, 2019): it reads their
 * element headers with a 2-byte length, loses its place and reports a buffer overrun. Any file
 * with an Extended Offset Table (7FE0,0001 OV) fails that way. These VRs have the same header as
 * OB (2 reserved bytes, 4-byte length), so their VR bytes are rewritten to 'OB' before
 * dicom-parser reads the data set. Only element headers are rewritten: the data set is walked
 * element by element, into sequences, exactly as a parser reads it, so value bytes that happen
 * to spell 'OV' are left alone. Nothing reads the values of these VRs through dicom-parser's typed
 * accessors (the offset table is read as raw little-endian bytes by frames.ts).
 */

const VRS_64 = new Set(['OV', 'SV', 'UV']);
/** Explicit VRs with 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1). */
export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

const UNDEFINED = 0xffffffff;
const ITEM = 0xe000;
const ITEM_END = 0xe00d;
const SEQUENCE_END = 0xe0dd;
/** Deeper nesting than this is not a real data set; the walk stops and dicom-parser judges. */
const MAX_DEPTH = 64;

class Walker {
  readonly found: number[] = [];
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly le: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }

  /**
   * Explicit VR elements from `pos` to `end`, or to an item delimiter when `delimited`. Returns
   * the position after them (after the delimiter), or -1 when the structure stops making sense
   * (the walk gives up; dicom-parser will report what is wrong).
   */
  elements(pos: number, end: number, delimited: boolean, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    // Declared lengths may run past the end of a damaged file.
    end = Math.min(end, this.bytes.length);
    while (pos + 8 <= end) {
      const group = this.u16(pos);
      const element = this.u16(pos + 2);
      if (group === 0xfffe) return delimited && element === ITEM_END ? pos + 8 : -1;
      // Nothing after the top-level Pixel Data is parsed (parse.ts stops at its tag).
      if (depth === 0 && group === 0x7fe0 && element === 0x0010) return -1;
      const vr = String.fromCharCode(this.bytes[pos + 4]!, this.bytes[pos + 5]!);
      if (!/^[A-Z]{2}$/.test(vr)) return -1;
      if (VRS_64.has(vr)) this.found.push(pos + 4);
      const long = LONG_VRS.has(vr);
      if (long && pos + 12 > end) return -1;
      const length = long ? this.u32(pos + 8) : this.u16(pos + 6);
      const data = pos + (long ? 12 : 8);
      if (length !== UNDEFINED) {
        if (vr === 'SQ' && this.items(data, data + length, false, depth + 1) < 0) return -1;
        pos = data + length;
      } else if (vr === 'SQ') {
        pos = this.items(data, end, true, depth + 1);
      } else if (group === 0x7fe0 && element === 0x0010) {
        pos = this.fragments(data, end);
      } else if (vr === 'UN') {
        pos = this.implicitItems(data, end, depth + 1);
      } else {
        pos = this.findDelimiter(data, end, ITEM_END);
      }
      if (pos < 0) return -1;
    }
    return delimited ? -1 : pos;
  }

  /** Sequence items in explicit VR; `delimited`: until the sequence delimiter. */
  private items(pos: number, end: number, delimited: boolean, depth: number): number {
    end = Math.min(end, this.bytes.length);
    while (pos + 8 <= end) {
      if (this.u16(pos) !== 0xfffe) return -1;
      const tag = this.u16(pos + 2);
      const length = this.u32(pos + 4);
      if (tag === SEQUENCE_END) return delimited ? pos + 8 : -1;
      if (tag !== ITEM) return -1;
      pos = length === UNDEFINED ? this.elements(pos + 8, end, true, depth) : this.elements(pos + 8, pos + 8 + length, false, depth);
      if (pos < 0) return -1;
    }
    return delimited ? -1 : pos;
  }

  /** Encapsulated Pixel Data items (offset table, fragments) up to the sequence delimiter. */
  private fragments(pos: number, end: number): number {
    while (pos + 8 <= end) {
      if (this.u16(pos) !== 0xfffe) return -1;
      if (this.u16(pos + 2) === SEQUENCE_END) return pos + 8;
      pos += 8 + this.u32(pos + 4);
    }
    return -1;
  }

  /**
   * An undefined-length UN element: its value is a sequence in implicit VR little endian
   * (PS3.5 §6.2.2), which holds no explicit VR headers; only its end is needed.
   */
  private implicitItems(pos: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return -1;
    const view = this.view;
    while (pos + 8 <= end) {
      if (view.getUint16(pos, true) !== 0xfffe) return -1;
      const tag = view.getUint16(pos + 2, true);
      const length = view.getUint32(pos + 4, true);
      if (tag === SEQUENCE_END) return pos + 8;
      if (tag !== ITEM) return -1;
      if (length !== UNDEFINED) {
        pos += 8 + length;
        continue;
      }
      pos += 8;
      while (pos + 8 <= end && !(view.getUint16(pos, true) === 0xfffe && view.getUint16(pos + 2, true) === ITEM_END)) {
        const elementLength = view.getUint32(pos + 4, true);
        pos = elementLength === UNDEFINED ? this.implicitItems(pos + 8, end, depth + 1) : pos + 8 + elementLength;
        if (pos < 0) return -1;
      }
      pos += 8;
    }
    return -1;
  }

  /** The byte after the first (FFFE,`element`) tag with zero length, as dicom-parser searches. */
  private findDelimiter(pos: number, end: number, element: number): number {
    for (; pos + 8 <= end; pos += 2) {
      if (this.u16(pos) === 0xfffe && this.u16(pos + 2) === element && this.u32(pos + 4) === 0) return pos + 8;
    }
    return -1;
  }
}

/**
 * Returns `bytes` with the VR of every OV/SV/UV element header of the explicit VR data set
 * starting at `start` replaced by 'OB'; `bytes` itself when there is none (a copy otherwise:
 * the caller's buffer is never changed).
 */
export function rewrite64BitVrs(bytes: Uint8Array, start: number, littleEndian: boolean): Uint8Array {
  const walker = new Walker(bytes, littleEndian);
  walker.elements(start, bytes.length, false, 0);
  if (walker.found.length === 0) return bytes;
  const out = bytes.slice();
  for (const at of walker.found) {
    out[at] = 0x4f;
    out[at + 1] = 0x42;
  }
  return out;
}

/**
 * Test support: writes a minimal DICOM Part 10 file (explicit VR little endian data set) with
 * encapsulated Pixel Data laid out exactly as asked: given fragments, Basic Offset Table and an
 * optional Extended Offset Table. Used to build the layouts real files rarely have.
 */
import type { FrameInfo } from '../types.js';

export interface EncapsulatedLayout {
  transferSyntax: string;
  info: FrameInfo;
  numberOfFrames: number;
  fragments: Uint8Array[];
  basicOffsetTable: number[];
  /**
   * Written as (7FE0,0001) offsets and (7FE0,0002) lengths when given. The standard's VR is OV,
   * but dicom-parser 1.8.21 does not know OV (it reads a 16-bit length and overruns), so they are
   * written as OB, whose explicit-VR header has the same layout (2 reserved bytes, 32-bit length).
   */
  extendedOffsetTable?: { offsets: number[]; lengths: number[] };
}

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u16(v: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    this.bytes(b);
  }
  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.bytes(b);
  }
  tag(group: number, element: number): void {
    this.u16(group);
    this.u16(element);
  }
  /** An explicit VR element; long-form VRs (OB, OV, UN…) get 2 reserved bytes and a 32-bit length. */
  element(group: number, element: number, vr: string, value: Uint8Array): void {
    const padded = value.length % 2 ? concat([value, new Uint8Array([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]) : value;
    this.tag(group, element);
    this.bytes(new TextEncoder().encode(vr));
    if (['OB', 'OW', 'OV', 'OF', 'SQ', 'UN', 'UT'].includes(vr)) {
      this.u16(0);
      this.u32(padded.length);
    } else this.u16(padded.length);
    this.bytes(padded);
  }
  text(group: number, element: number, vr: string, s: string): void {
    this.element(group, element, vr, new TextEncoder().encode(s));
  }
  us(group: number, element: number, v: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    this.element(group, element, 'US', b);
  }
  result(): Uint8Array {
    return concat(this.chunks);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u64s(values: number[]): Uint8Array {
  const b = new Uint8Array(8 * values.length);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setBigUint64(8 * i, BigInt(v), true));
  return b;
}

export function writeEncapsulated(layout: EncapsulatedLayout): Uint8Array {
  const { info } = layout;
  const meta = new Writer();
  meta.element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1]));
  meta.text(0x0002, 0x0002, 'UI', '1.2.840.10008.5.1.4.1.1.7');
  meta.text(0x0002, 0x0003, 'UI', '1.2.826.0.1.3680043.8.498.1');
  meta.text(0x0002, 0x0010, 'UI', layout.transferSyntax);
  const metaBytes = meta.result();

  const w = new Writer();
  w.bytes(new Uint8Array(128));
  w.bytes(new TextEncoder().encode('DICM'));
  const groupLength = new Uint8Array(4);
  new DataView(groupLength.buffer).setUint32(0, metaBytes.length, true);
  w.element(0x0002, 0x0000, 'UL', groupLength);
  w.bytes(metaBytes);
  w.us(0x0028, 0x0002, info.samplesPerPixel);
  w.text(0x0028, 0x0004, 'CS', info.photometricInterpretation);
  if (info.samplesPerPixel > 1) w.us(0x0028, 0x0006, info.planarConfiguration);
  w.text(0x0028, 0x0008, 'IS', String(layout.numberOfFrames));
  w.us(0x0028, 0x0010, info.rows);
  w.us(0x0028, 0x0011, info.columns);
  w.us(0x0028, 0x0100, info.bitsAllocated);
  w.us(0x0028, 0x0101, info.bitsStored);
  w.us(0x0028, 0x0102, info.highBit);
  w.us(0x0028, 0x0103, info.pixelRepresentation);
  if (layout.extendedOffsetTable) {
    w.element(0x7fe0, 0x0001, 'OB', u64s(layout.extendedOffsetTable.offsets));
    w.element(0x7fe0, 0x0002, 'OB', u64s(layout.extendedOffsetTable.lengths));
  }
  w.tag(0x7fe0, 0x0010);
  w.bytes(new TextEncoder().encode('OB'));
  w.u16(0);
  w.u32(0xffffffff);
  w.tag(0xfffe, 0xe000);
  w.u32(4 * layout.basicOffsetTable.length);
  for (const o of layout.basicOffsetTable) w.u32(o);
  for (const f of layout.fragments) {
    const even = f.length % 2 ? concat([f, new Uint8Array(1)]) : f;
    w.tag(0xfffe, 0xe000);
    w.u32(even.length);
    w.bytes(even);
  }
  w.tag(0xfffe, 0xe0dd);
  w.u32(0);
  return w.result();
}

/** Offsets of each fragment item (from the first item after the BOT), for building offset tables. */
export function fragmentOffsets(fragments: Uint8Array[]): number[] {
  const offsets: number[] = [];
  let o = 0;
  for (const f of fragments) {
    offsets.push(o);
    o += 8 + f.length + (f.length % 2);
  }
  return offsets;
}

import type { DataSet } from 'dicom-parser';
import { TAG, ushortValue } from '../attributes.js';
import { DicomError } from '../errors.js';
import { readLut, type Lut } from './lut.js';

/** Red, green and blue Palette Color LUTs (PS3.3 C.7.6.3.1.5), same descriptor for all three. */
export interface Palette {
  red: Lut;
  green: Lut;
  blue: Lut;
}

/**
 * Expands Segmented Palette Color LUT Data (PS3.3 C.7.9.2): discrete (opcode 0), linear (1)
 * and indirect (2) segments. Linear segments interpolate from the previous entry to the target,
 * rounded to the nearest integer (ties to even). The indirect segment's offset is read as a byte
 * offset into the data, as C.7.9.2.3 defines it.
 * @param words the segment data as 16-bit words. @returns the LUT entries.
 */
export function expandSegmentedLut(words: ArrayLike<number>, maxEntries = 65536): number[] {
  const lut: number[] = [];
  const expand = (start: number, segments: number, lastValue: number | undefined): void => {
    let offset = start;
    let done = 0;
    while (offset + 1 < words.length && done < segments && lut.length <= maxEntries) {
      const opcode = words[offset]!;
      const length = words[offset + 1]!;
      offset += 2;
      if (opcode === 0) {
        for (let i = 0; i < length; i++) lut.push(words[offset + i]!);
        offset += length;
      } else if (opcode === 1) {
        const y0 = lut.length > 0 ? lut[lut.length - 1]! : lastValue;
        if (y0 === undefined) throw new DicomError('INVALID_ATTRIBUTE', 'segmented palette LUT starts with a linear segment');
        const y1 = words[offset++]!;
        // y0 + step … y1 in `length` steps; ties round to even, as numpy.around does in pydicom.
        const start = y0 + (y1 - y0) / length;
        const delta = length > 1 ? (y1 - start) / (length - 1) : 0;
        for (let i = 0; i < length; i++) lut.push(roundHalfEven(start + i * delta));
      } else if (opcode === 2) {
        if (lut.length === 0) throw new DicomError('INVALID_ATTRIBUTE', 'segmented palette LUT starts with an indirect segment');
        const byteOffset = (words[offset + 1]! << 16) | words[offset]!;
        offset += 2;
        expand(byteOffset / 2, length, lut[lut.length - 1]);
      } else {
        throw new DicomError('INVALID_ATTRIBUTE', `segmented palette LUT has unknown segment type ${opcode}`);
      }
      done++;
    }
  };
  expand(0, Infinity, undefined);
  return lut;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function segmented(ds: DataSet, descriptorTag: string, dataTag: string, signed: boolean): Lut {
  const el = ds.elements[dataTag]!;
  const bits = ushortValue(ds, descriptorTag, false, 2) ?? 16;
  const first = ushortValue(ds, descriptorTag, signed, 1) ?? 0;
  const n = el.length >>> 1;
  const words = new Uint16Array(n);
  for (let i = 0; i < n; i++) words[i] = ds.byteArrayParser.readUint16(ds.byteArray, el.dataOffset + 2 * i);
  return { firstMapped: first, bits, data: Uint16Array.from(expandSegmentedLut(words)) };
}

/** Reads the palette of a PALETTE COLOR image (plain or segmented LUT data). */
export function readPalette(ds: DataSet, signedInput: boolean, file?: string): Palette {
  const channels = [
    [TAG.redPaletteDescriptor, TAG.redPaletteData, TAG.segmentedRedPaletteData],
    [TAG.greenPaletteDescriptor, TAG.greenPaletteData, TAG.segmentedGreenPaletteData],
    [TAG.bluePaletteDescriptor, TAG.bluePaletteData, TAG.segmentedBluePaletteData],
  ] as const;
  const [red, green, blue] = channels.map(([desc, data, seg]) => {
    if (ds.elements[data]) return readLut(ds, desc, data, signedInput, file);
    if (ds.elements[seg]) return segmented(ds, desc, seg, signedInput);
    throw new DicomError('INVALID_ATTRIBUTE', 'PALETTE COLOR image without Palette Color Lookup Table Data; the colours cannot be recovered', { file });
  }) as [Lut, Lut, Lut];
  return { red, green, blue };
}

/**
 * Palette lookup: out[3i + c] = lut_c[clamp(index_i − firstMapped, 0, entries − 1)].
 * @param indices [pixels]. @param out [pixels*3] interleaved R G B.
 */
export function applyPalette(indices: ArrayLike<number>, palette: Palette, out: Float32Array): void {
  const { red, green, blue } = palette;
  const first = red.firstMapped;
  const last = red.data.length - 1;
  const n = indices.length;
  for (let i = 0, o = 0; i < n; i++, o += 3) {
    let k = indices[i]! - first;
    k = k < 0 ? 0 : k > last ? last : k;
    out[o] = red.data[k]!;
    out[o + 1] = green.data[k]!;
    out[o + 2] = blue.data[k]!;
  }
}

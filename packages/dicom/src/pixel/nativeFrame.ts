import { DicomError } from '../errors.js';
import type { SampleArray } from '../codecs/types.js';
import { unpackBits } from './bits.js';

/** The layout of native (uncompressed) pixel data, from the Image Pixel module. */
export interface NativeLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  photometricInterpretation: string;
  littleEndian: boolean;
}

/** Bits one frame occupies in native Pixel Data (YBR_FULL_422 stores 2 samples per pixel, PS3.3 C.7.6.3.1.2). */
export function nativeFrameBits(layout: NativeLayout): number {
  const samples = layout.photometricInterpretation === 'YBR_FULL_422' ? 2 : layout.samplesPerPixel;
  return layout.rows * layout.columns * samples * layout.bitsAllocated;
}

/**
 * Expands YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair) to YBR_FULL (Y1 Cb Cr Y2 Cb Cr), as PS3.3
 * C.7.6.3.1.2 defines it: both pixels of a pair share the chroma samples.
 * @param src [pixels*2] samples. @returns [pixels*3] interleaved samples of the same type.
 */
export function expandYbr422<T extends SampleArray>(src: T): T {
  const pairs = src.length >>> 2;
  const out = new (src.constructor as new (n: number) => T)(pairs * 6);
  for (let p = 0, s = 0, d = 0; p < pairs; p++, s += 4, d += 6) {
    const cb = src[s + 2]!;
    const cr = src[s + 3]!;
    out[d] = src[s]!;
    out[d + 1] = cb;
    out[d + 2] = cr;
    out[d + 3] = src[s + 1]!;
    out[d + 4] = cb;
    out[d + 5] = cr;
  }
  return out;
}

function view(bytes: Uint8Array, bytesPerSample: number, littleEndian: boolean, count: number): SampleArray {
  if (bytesPerSample === 1) return bytes.subarray(0, count);
  const Type = bytesPerSample === 2 ? Uint16Array : Uint32Array;
  if (littleEndian && bytes.byteOffset % bytesPerSample === 0) {
    return new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  }
  // Unaligned or big endian: one copy through a DataView, which handles both.
  const dv = new DataView(bytes.buffer, bytes.byteOffset, count * bytesPerSample);
  const out = new Type(count);
  if (bytesPerSample === 2) for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, littleEndian);
  else for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, littleEndian);
  return out;
}

/**
 * Samples of frame `index` of native Pixel Data, in file order (still planar if PlanarConfiguration
 * is 1), YBR_FULL_422 expanded to full resolution, 1-bit data unpacked to one byte per pixel.
 * @param pixelData the value of (7FE0,0010).
 * @returns Uint8Array/Uint16Array/Uint32Array [rows*columns*samplesPerPixel] of raw container values.
 */
export function nativeFrame(pixelData: Uint8Array, layout: NativeLayout, index: number, file?: string): SampleArray {
  const frameBits = nativeFrameBits(layout);
  const startBit = frameBits * index;
  const endByte = Math.ceil((startBit + frameBits) / 8);
  if (endByte > pixelData.length) {
    throw new DicomError(
      'TRUNCATED',
      `Pixel Data holds ${pixelData.length} bytes but frame ${index} needs bytes up to ${endByte} (${layout.rows}×${layout.columns}×${layout.samplesPerPixel} at ${layout.bitsAllocated} bits); the file was cut short: copy it again from the source`,
      { file },
    );
  }
  const pixels = layout.rows * layout.columns;
  if (layout.bitsAllocated === 1) return unpackBits(pixelData, startBit, pixels * layout.samplesPerPixel);
  const bytesPerSample = layout.bitsAllocated / 8;
  if (bytesPerSample === 3) {
    throw new DicomError('UNSUPPORTED_PIXEL_FORMAT', 'Bits Allocated 24 in native pixel data is not supported; convert the file with `dcmconv +te`', { file });
  }
  const count = frameBits / layout.bitsAllocated;
  const samples = view(pixelData.subarray(startBit / 8), bytesPerSample, layout.littleEndian, count);
  return layout.photometricInterpretation === 'YBR_FULL_422' ? expandYbr422(samples) : samples;
}

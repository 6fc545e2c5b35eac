import { DicomWriteError } from './errors.js';

/**
 * DICOM RLE Lossless compression of one frame (PS3.5 Annex G).
 *
 * The frame is split into byte planes ("segments"): for each sample, its most significant
 * byte plane first, down to the least significant. Each segment is PackBits-coded row by row
 * (G.3.1: a run never crosses a row boundary) and padded to even length; a 64-byte header of
 * 16 little-endian uint32 gives the segment count and the offsets of up to 15 segments.
 */

/** A byte of `-n + 1` for a replicate run of n (2..128), `n - 1` for a literal run of n (1..128). */
function packBitsRow(src: Uint8Array, start: number, end: number, out: number[]): void {
  let i = start;
  while (i < end) {
    let run = 1;
    while (i + run < end && run < 128 && src[i + run] === src[i]) run++;
    if (run >= 2) {
      out.push(257 - run, src[i]!);
      i += run;
      continue;
    }
    // Literal: extend until a run of 3 equal bytes starts (a 2-byte repeat inside a literal
    // costs less as literal bytes than as a run between two literal headers).
    let j = i + 1;
    while (j < end && j - i < 128) {
      if (j + 2 < end && src[j] === src[j + 1] && src[j] === src[j + 2]) break;
      j++;
    }
    out.push(j - i - 1);
    for (let k = i; k < j; k++) out.push(src[k]!);
    i = j;
  }
}

/**
 * Encodes one frame.
 * @param samples rows × columns × samplesPerPixel values, interleaved (R1G1B1R2… for colour);
 *   the bytes of each value are taken as unsigned, so two's-complement data round-trips.
 * @param bytesPerSample 1 (BitsAllocated 8) or 2 (BitsAllocated 16).
 * @returns the RLE fragment (header + segments), even length.
 */
export function encodeRleFrame(
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array,
  rows: number,
  columns: number,
  samplesPerPixel: number,
  bytesPerSample: 1 | 2,
): Uint8Array {
  const pixels = rows * columns;
  if (samples.length !== pixels * samplesPerPixel) {
    throw new DicomWriteError('INVALID_PIXEL_DATA', `RLE frame needs ${pixels * samplesPerPixel} samples, got ${samples.length}`);
  }
  const segmentCount = samplesPerPixel * bytesPerSample;
  if (segmentCount > 15) throw new DicomWriteError('INVALID_PIXEL_DATA', `RLE holds at most 15 segments, this frame needs ${segmentCount}`);
  const plane = new Uint8Array(pixels);
  const segments: number[][] = [];
  for (let s = 0; s < samplesPerPixel; s++) {
    for (let b = bytesPerSample - 1; b >= 0; b--) {
      const shift = 8 * b;
      for (let p = 0; p < pixels; p++) plane[p] = (samples[p * samplesPerPixel + s]! >>> shift) & 0xff;
      const out: number[] = [];
      for (let r = 0; r < rows; r++) packBitsRow(plane, r * columns, (r + 1) * columns, out);
      if (out.length % 2) out.push(0);
      segments.push(out);
    }
  }
  const total = 64 + segments.reduce((n, s) => n + s.length, 0);
  const frame = new Uint8Array(total);
  const header = new DataView(frame.buffer);
  header.setUint32(0, segmentCount, true);
  let at = 64;
  segments.forEach((seg, i) => {
    header.setUint32(4 + 4 * i, at, true);
    frame.set(seg, at);
    at += seg.length;
  });
  return frame;
}

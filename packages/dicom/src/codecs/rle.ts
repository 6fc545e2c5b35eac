/**
 * RLE Lossless (1.2.840.10008.1.2.5), written from DICOM PS3.5 Annex G.
 *
 * A frame is a 64-byte header (segment count, then 15 little-endian uint32 segment offsets from
 * the start of the frame) followed by PackBits-compressed segments. Each segment holds one byte
 * plane of one sample: for every sample in order (R, G, B), its bytes from most to least
 * significant. So the decoded data is planar by construction; this codec re-interleaves it.
 */
import type { DecodedFrame, FrameInfo, SampleArray } from './types.js';
import { corrupt, samplesPerFrame, signExtendStored } from './frameLayout.js';

const CODEC = 'RLE Lossless decoder';

/**
 * Decodes one PackBits segment (PS3.5 G.3.1) into `out` (length rows × columns).
 * Returns the number of bytes written; stops at the end of `out` or of the segment.
 */
export function unpackBits(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const n = (src[i++]! << 24) >> 24;
    if (n >= 0) {
      const count = Math.min(n + 1, end - i, out.length - o);
      out.set(src.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      if (i >= end) break;
      const count = Math.min(1 - n, out.length - o);
      out.fill(src[i++]!, o, o + count);
      o += count;
    }
  }
  return o;
}

/**
 * Decodes one RLE frame. Output: rows × columns × samplesPerPixel samples, interleaved
 * (planarConfiguration 0) whatever the header's planar configuration says, because the segment
 * order defines the layout of RLE data (PS3.5 G.2).
 */
export function decodeRle(encoded: Uint8Array, info: FrameInfo): DecodedFrame {
  const bytesPerSample = info.bitsAllocated / 8;
  if (![1, 2, 4].includes(bytesPerSample)) {
    throw corrupt(CODEC, `BitsAllocated ${info.bitsAllocated} is not 8, 16 or 32`);
  }
  if (encoded.length < 64) throw corrupt(CODEC, `frame is ${encoded.length} bytes, shorter than the 64-byte RLE header`);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = view.getUint32(0, true);
  const expected = bytesPerSample * info.samplesPerPixel;
  if (segments !== expected) {
    throw corrupt(CODEC, `header lists ${segments} segments, expected ${expected} (${info.samplesPerPixel} samples × ${bytesPerSample} bytes)`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(encoded.length);
  for (let s = 0; s < segments; s++) {
    if (offsets[s]! < 64 || offsets[s]! > offsets[s + 1]!) {
      throw corrupt(CODEC, `segment ${s} offset ${offsets[s]} is outside the frame (${encoded.length} bytes) or out of order`);
    }
  }

  const pixelCount = info.rows * info.columns;
  const spp = info.samplesPerPixel;
  const out = new (bytesPerSample === 1 ? Uint8Array : bytesPerSample === 2 ? Uint16Array : Uint32Array)(samplesPerFrame(info));
  const plane = new Uint8Array(pixelCount);
  for (let s = 0; s < segments; s++) {
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    const written = unpackBits(encoded, offsets[s]!, offsets[s + 1]!, plane);
    if (written !== pixelCount) {
      throw corrupt(CODEC, `segment ${s} decodes to ${written} bytes, expected ${pixelCount} (rows × columns)`);
    }
    for (let p = 0, o = sample; p < pixelCount; p++, o += spp) out[o] = (out[o]! | (plane[p]! << shift)) >>> 0;
  }
  const pixels: SampleArray = info.pixelRepresentation === 1 ? signExtendStored(out, info.bitsStored) : out;
  return {
    pixels,
    signed: info.pixelRepresentation === 1,
    bitsPerSample: info.bitsStored,
    photometricInterpretation: info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

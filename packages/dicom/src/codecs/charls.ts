/** JPEG-LS lossless (.80) and near-lossless (.81) through the CharLS WASM build. */
import { lazyModule, quiet } from './wasmLoader.js';
import { withWasmDecoder } from './wasmDecode.js';
import { checkGeometry, copySamples, corrupt, endOfCodestream, planarToInterleaved, signExtendStored } from './frameLayout.js';
import { readJpegHeader } from './jpegHeader.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'JPEG-LS decoder (CharLS)';
const charls = lazyModule(async () => (await import('@cornerstonejs/codec-charls/decodewasmjs')).default(quiet()));

/**
 * Decodes one JPEG-LS frame into pixel-interleaved samples (CharLS returns line- and
 * sample-interleaved streams that way, and non-interleaved ones planar, which we re-interleave). JPEG-LS has no notion of sign: the samples are the stored bit patterns,
 * sign-extended here from BitsStored when PixelRepresentation is 1 (as DCMTK and GDCM do).
 */
export async function decodeCharls(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  // Check the frame header first: CharLS would allocate for, and decode, whatever size it says.
  const header = readJpegHeader(encoded);
  if (!header || header.sof !== 0xf7) throw corrupt(CODEC, 'no JPEG-LS SOI/SOF55 header at the start of the frame');
  checkGeometry(CODEC, info, { width: header.columns, height: header.rows, componentCount: header.components.length });
  // CharLS (this WASM build) can spend tens of seconds on a truncated stream before failing, so a
  // stream without its EOI marker is refused up front. Bytes after EOI are padding, cut off.
  const end = endOfCodestream(encoded);
  if (end < 0) throw corrupt(CODEC, 'the stream does not end with the EOI marker (FFD9): it is truncated');
  const { pixels, bits } = await withWasmDecoder(CODEC, charls, (m) => new m.JpegLSDecoder(), encoded.subarray(0, end), (d) => {
    const fi = d.getFrameInfo();
    checkGeometry(CODEC, info, fi);
    if (fi.bitsPerSample < 2 || fi.bitsPerSample > 16) throw corrupt(CODEC, `stream precision ${fi.bitsPerSample} bits`);
    const bytes = fi.bitsPerSample <= 8 ? 1 : 2;
    const samples = copySamples(CODEC, d.getDecodedBuffer(), bytes, false, info);
    // Interleave mode 0 (none) decodes component by component: planar.
    const planar = info.samplesPerPixel > 1 && d.getInterleaveMode() === 0;
    return { pixels: planar ? planarToInterleaved(samples, info.samplesPerPixel) : samples, bits: fi.bitsPerSample };
  });
  const signed = info.pixelRepresentation === 1;
  return {
    pixels: signed ? signExtendStored(pixels, Math.min(info.bitsStored, bits)) : pixels,
    signed,
    bitsPerSample: bits,
    photometricInterpretation: info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

/** JPEG-LS lossless (.80) and near-lossless (.81) through the CharLS WASM build. */
import { QUIET, lazyModule } from './wasmLoader.js';
import { withWasmDecoder } from './wasmDecode.js';
import { checkGeometry, copySamples, corrupt, planarToInterleaved, signExtendStored } from './frameLayout.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'JPEG-LS decoder (CharLS)';
const charls = lazyModule(async () => (await import('@cornerstonejs/codec-charls/decodewasmjs')).default(QUIET));

/**
 * Decodes one JPEG-LS frame into pixel-interleaved samples (CharLS returns line- and
 * sample-interleaved streams that way, and non-interleaved ones planar, which we re-interleave). JPEG-LS has no notion of sign: the samples are the stored bit patterns,
 * sign-extended here from BitsStored when PixelRepresentation is 1 (as DCMTK and GDCM do).
 */
export async function decodeCharls(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const { pixels, bits } = await withWasmDecoder(CODEC, charls, (m) => new m.JpegLSDecoder(), encoded, (d) => {
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

/**
 * 8-bit JPEG (baseline .50, and extended .51 streams whose precision is 8) through the
 * libjpeg-turbo WASM build in @cornerstonejs/codec-libjpeg-turbo-8bit.
 */
import { lazyModule, quiet } from './wasmLoader.js';
import { withWasmDecoder } from './wasmDecode.js';
import { checkGeometry, copySamples, corrupt, signExtendStored } from './frameLayout.js';
import { isYcbcrStream, libjpegAssumesYcbcr, readJpegHeader, withAdobeNoTransform } from './jpegHeader.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'JPEG decoder (libjpeg-turbo)';
const libjpegTurbo = lazyModule(async () => (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')).default(quiet()));

/**
 * Decodes one 8-bit JPEG frame. Three-component YCbCr streams come out as RGB (libjpeg converts),
 * so `photometricInterpretation` is 'RGB' for every colour frame; grey frames keep the header's.
 */
export async function decodeLibjpegTurbo(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const header = readJpegHeader(encoded);
  if (!header) throw corrupt(CODEC, 'no JPEG SOI/SOF header at the start of the frame');
  if (header.precision !== 8) throw corrupt(CODEC, `sample precision is ${header.precision} bits, this decoder takes 8`);
  checkGeometry(CODEC, info, { width: header.columns, height: header.rows, componentCount: header.components.length });
  let stream = encoded;
  if (header.components.length === 3 && libjpegAssumesYcbcr(header) && !isYcbcrStream(header, info.photometricInterpretation)) {
    stream = withAdobeNoTransform(encoded);
  }
  const pixels = await withWasmDecoder(CODEC, libjpegTurbo, (m) => new m.JPEGDecoder(), stream, (d) => {
    const fi = d.getFrameInfo();
    checkGeometry(CODEC, info, fi);
    return copySamples(CODEC, d.getDecodedBuffer(), 1, false, info);
  });
  const signed = info.pixelRepresentation === 1;
  return {
    pixels: signed ? signExtendStored(pixels, 8) : pixels,
    signed,
    bitsPerSample: 8,
    photometricInterpretation: info.samplesPerPixel === 3 ? 'RGB' : info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

/**
 * JPEG baseline (.50) and extended (.51): 8-bit streams go to libjpeg-turbo (WASM), 12-bit ones
 * to fedcl's own sequential DCT decoder, which reproduces libjpeg's integer IDCT exactly.
 */
import { decodeLibjpegTurbo } from './libjpegTurbo.js';
import { decodeJpegDct } from './jpegDct.js';
import { checkGeometry, corrupt, signExtendStored } from './frameLayout.js';
import { readJpegHeader } from './jpegHeader.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'JPEG decoder';

export async function decodeJpegLossy(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const header = readJpegHeader(encoded);
  if (!header) throw corrupt(CODEC, 'no JPEG SOI/SOF header at the start of the frame');
  if (header.precision === 8) return decodeLibjpegTurbo(encoded, info);
  checkGeometry(CODEC, info, { width: header.columns, height: header.rows, componentCount: header.components.length });
  const image = decodeJpegDct(encoded);
  checkGeometry(CODEC, info, { width: image.columns, height: image.rows, componentCount: image.components });
  const signed = info.pixelRepresentation === 1;
  return {
    pixels: signed ? signExtendStored(image.samples, Math.min(info.bitsStored, image.precision)) : image.samples,
    signed,
    bitsPerSample: image.precision,
    // No colour conversion here: YBR_FULL stays YBR_FULL, and without subsampling YBR_FULL_422 data is full.
    photometricInterpretation: info.photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

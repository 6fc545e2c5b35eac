/** JPEG 2000 (.90 lossless, .91) through the OpenJPEG WASM build. */
import { lazyModule, quiet, type LazyModule } from './wasmLoader.js';
import { withWasmDecoder } from './wasmDecode.js';
import { checkGeometry, copySamples, corrupt } from './frameLayout.js';
import { readJ2kSize } from './j2kHeader.js';
import { DicomError } from '../errors.js';
import type { DecodedFrame, FrameInfo } from './types.js';

const CODEC = 'JPEG 2000 decoder (OpenJPEG)';
const openjpeg = lazyModule(async () => (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')).default(quiet()));

/**
 * Decodes one JPEG 2000 frame. The codestream's SIZ marker carries each component's precision and
 * signedness; they win over BitsStored/PixelRepresentation when the two disagree (pydicom's
 * J2K_pixelrep_mismatch.dcm: unsigned stream, PixelRepresentation 1), so `signed` and
 * `bitsPerSample` come from the stream. Multi-component transforms (RCT/ICT) are undone by the
 * decoder: YBR_RCT / YBR_ICT frames come out as RGB.
 */
export async function decodeOpenjpeg(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  return decodeJ2kWith(CODEC, openjpeg, (m) => new m.J2KDecoder(), encoded, info);
}

/** Shared by the JPEG 2000 and HTJ2K codecs, whose embind wrappers have the same shape. */
export async function decodeJ2kWith<M>(
  codec: string,
  module: LazyModule<M>,
  create: (m: M) => WasmDecoder,
  encoded: Uint8Array,
  info: FrameInfo,
): Promise<DecodedFrame> {
  const size = readJ2kSize(encoded);
  if (!size) throw corrupt(codec, 'no SOC/SIZ marker: this is not a JPEG 2000 codestream');
  checkGeometry(codec, info, { width: size.width, height: size.height, componentCount: size.components });
  return withWasmDecoder(codec, module, create, encoded, (d) => {
    const fi = d.getFrameInfo();
    if (fi.width === 0 || fi.height === 0) throw corrupt(codec, 'the codec could not read the codestream header (SIZ)');
    checkGeometry(codec, info, fi);
    if (fi.bitsPerSample < 1) throw corrupt(codec, `stream precision ${fi.bitsPerSample} bits`);
    if (fi.bitsPerSample > 16) {
      throw new DicomError('UNSUPPORTED_PIXEL_FORMAT', `${codec}: ${fi.bitsPerSample}-bit JPEG 2000 samples are not supported (at most 16); convert the file with \`gdcmconv --raw\`.`);
    }
    const signed = Boolean(fi.isSigned);
    const pixels = copySamples(codec, d.getDecodedBuffer(), fi.bitsPerSample <= 8 ? 1 : 2, signed, info);
    const pi = info.photometricInterpretation;
    return {
      pixels,
      signed,
      bitsPerSample: fi.bitsPerSample,
      photometricInterpretation: pi === 'YBR_RCT' || pi === 'YBR_ICT' ? 'RGB' : pi,
      planarConfiguration: 0,
    };
  });
}

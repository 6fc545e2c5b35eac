/** JPEG lossless, process 14 (.57 any selection value, .70 selection value 1). */
import { decodeJpegLosslessStream } from './jpegLosslessDecoder.js';
import { signExtendStored } from './frameLayout.js';
import type { DecodedFrame, FrameInfo } from './types.js';

/** Decodes one lossless JPEG frame into interleaved samples of the stream's precision. */
export async function decodeJpegLossless(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const image = decodeJpegLosslessStream(encoded, { rows: info.rows, columns: info.columns, components: info.samplesPerPixel });
  const signed = info.pixelRepresentation === 1;
  return {
    pixels: signed ? signExtendStored(image.samples, Math.min(info.bitsStored, image.precision)) : image.samples,
    signed,
    bitsPerSample: image.precision,
    photometricInterpretation: info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

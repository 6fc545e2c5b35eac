import { DicomWriteError } from './errors.js';
import { pixelEncoders, runWasmEncoder } from './wasmEncoders.js';

/**
 * JPEG-LS lossless (NEAR = 0) compression of one greyscale frame with CharLS, for transfer
 * syntax 1.2.840.10008.1.2.4.80. JPEG-LS has no signed samples, so signed data is refused
 * rather than silently reinterpreted.
 * @param samples rows × columns values, each in [0, 2^bitsStored).
 * @returns the JPEG-LS stream (SOI … EOI).
 */
export function encodeJpegLsFrame(samples: Uint8Array | Uint16Array, rows: number, columns: number, bitsStored: number): Uint8Array {
  if (bitsStored < 2 || bitsStored > 16) throw new DicomWriteError('INVALID_PIXEL_DATA', `JPEG-LS takes 2..16 bits per sample, got ${bitsStored}`);
  checkRange(samples, 0, 2 ** bitsStored - 1, 'JPEG-LS');
  const { charls } = pixelEncoders('JPEG-LS');
  const encoder = new charls.JpegLSEncoder();
  encoder.setNearLossless(0);
  return runWasmEncoder(encoder, { width: columns, height: rows, bitsPerSample: bitsStored, componentCount: 1, isSigned: false }, samples);
}

/** Lossless codecs code `bitsStored` bits: a value outside that range would come back different. */
export function checkRange(samples: ArrayLike<number>, min: number, max: number, codec: string): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (v < min || v > max) {
      throw new DicomWriteError('INVALID_PIXEL_DATA', `${codec}: sample ${i} is ${v}, outside [${min}, ${max}] allowed by BitsStored/PixelRepresentation`);
    }
  }
}

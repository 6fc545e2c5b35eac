import { DicomWriteError } from './errors.js';
import { checkRange } from './jpegLs.js';
import { pixelEncoders, runWasmEncoder } from './wasmEncoders.js';

/**
 * JPEG 2000 lossless (reversible 5/3 wavelet) compression of one greyscale frame with
 * OpenJPEG, for transfer syntax 1.2.840.10008.1.2.4.90: a raw codestream (SOC … EOC), no JP2 box.
 * @param samples rows × columns values in the range BitsStored/PixelRepresentation allow.
 */
export function encodeJpeg2000Frame(
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array,
  rows: number,
  columns: number,
  bitsStored: number,
  signed: boolean,
): Uint8Array {
  if (bitsStored < 1 || bitsStored > 16) throw new DicomWriteError('INVALID_PIXEL_DATA', `JPEG 2000 here takes 1..16 bits per sample, got ${bitsStored}`);
  const [min, max] = signed ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
  checkRange(samples, min, max, 'JPEG 2000');
  const { openjpeg } = pixelEncoders('JPEG 2000');
  const encoder = new openjpeg.J2KEncoder();
  encoder.setQuality(true, 0);
  // OpenJPEG refuses more resolution levels than the smallest side can be halved.
  encoder.setDecompositions(Math.max(0, Math.min(5, Math.floor(Math.log2(Math.min(rows, columns))) - 1)));
  return runWasmEncoder(
    encoder,
    { width: columns, height: rows, bitsPerSample: bitsStored, componentCount: 1, isSigned: signed, isUsingColorTransform: false },
    samples,
  );
}

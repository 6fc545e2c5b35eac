import type { BinaryValue } from './element.js';
import { DicomWriteError } from './errors.js';
import { encodeJpeg2000Frame } from './jpeg2000.js';
import { checkRange, encodeJpegLsFrame } from './jpegLs.js';
import { encodeRleFrame } from './rle.js';
import type { TransferSyntaxLayout } from './transferSyntax.js';

/** The Image Pixel module attributes that decide how native samples are compressed. */
export interface PixelLayout {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  numberOfFrames: number;
}

type Samples = Uint8Array | Int8Array | Uint16Array | Int16Array;

function narrowToBytes(frame: Samples): Uint8Array {
  return Uint8Array.from(frame as ArrayLike<number>, (v) => v & 0xff);
}

/**
 * Compresses native Pixel Data into one encoded stream per frame.
 * @param pixels numberOfFrames × rows × columns × samplesPerPixel samples; 8-bit arrays for
 *   BitsAllocated 8, 16-bit arrays for BitsAllocated 16 (signed arrays for PixelRepresentation 1).
 */
export function encodePixelFrames(pixels: BinaryValue, layout: PixelLayout, codec: NonNullable<TransferSyntaxLayout['codec']>): Uint8Array[] {
  const { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, pixelRepresentation, numberOfFrames } = layout;
  const bytes = bitsAllocated / 8;
  if ((bytes !== 1 && bytes !== 2) || pixels.BYTES_PER_ELEMENT !== bytes) {
    throw new DicomWriteError(
      'INVALID_PIXEL_DATA',
      `compressed pixel data needs BitsAllocated 8 or 16 with a matching typed array; got BitsAllocated ${bitsAllocated} and a ${pixels.constructor.name}`,
    );
  }
  const perFrame = rows * columns * samplesPerPixel;
  if (pixels.length !== perFrame * numberOfFrames) {
    throw new DicomWriteError(
      'INVALID_PIXEL_DATA',
      `Pixel Data has ${pixels.length} samples; Rows ${rows} × Columns ${columns} × Samples ${samplesPerPixel} × Frames ${numberOfFrames} = ${perFrame * numberOfFrames}`,
    );
  }
  if (codec !== 'rle' && samplesPerPixel !== 1) {
    throw new DicomWriteError('INVALID_PIXEL_DATA', `the ${codec} writer takes greyscale (SamplesPerPixel 1) only; use RLE or a native syntax for colour`);
  }
  const signed = pixelRepresentation === 1;
  if (codec !== 'rle') {
    const [min, max] = signed ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
    checkRange(pixels as Samples, min, max, codec);
  }
  const frames: Uint8Array[] = [];
  for (let f = 0; f < numberOfFrames; f++) {
    const frame = (pixels as Samples).subarray(f * perFrame, (f + 1) * perFrame) as Samples;
    switch (codec) {
      case 'rle':
        frames.push(encodeRleFrame(frame, rows, columns, samplesPerPixel, bytes));
        break;
      case 'jpeg-ls': {
        if (signed) {
          throw new DicomWriteError('INVALID_PIXEL_DATA', 'JPEG-LS has no signed samples; write PixelRepresentation 1 data as RLE, JPEG 2000 or a native syntax');
        }
        const input = bitsStored <= 8 && bytes === 2 ? narrowToBytes(frame) : (frame as Uint8Array | Uint16Array);
        frames.push(encodeJpegLsFrame(input, rows, columns, bitsStored));
        break;
      }
      case 'jpeg2000': {
        const input = bitsStored <= 8 && bytes === 2 ? (signed ? Int8Array.from(frame as Int16Array) : narrowToBytes(frame)) : frame;
        frames.push(encodeJpeg2000Frame(input, rows, columns, bitsStored, signed));
        break;
      }
    }
  }
  return frames;
}

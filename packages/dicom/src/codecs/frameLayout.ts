import { DicomError } from '../errors.js';
import type { FrameInfo, SampleArray } from './types.js';

/** Number of samples in one frame: rows × columns × samplesPerPixel. */
export function samplesPerFrame(info: FrameInfo): number {
  return info.rows * info.columns * info.samplesPerPixel;
}

/** A CORRUPT_PIXEL_DATA error naming the codec, the syntax and what to do. */
export function corrupt(codec: string, what: string, cause?: unknown): DicomError {
  const detail = cause instanceof Error ? `: ${cause.message}` : typeof cause === 'string' ? `: ${cause}` : '';
  return new DicomError(
    'CORRUPT_PIXEL_DATA',
    `${codec} could not decode the frame (${what}${detail}). The compressed pixel data is damaged or not what the ` +
      'transfer syntax says; re-export the image from the source system, or check it with dcmdjpeg/gdcmconv.',
    { cause },
  );
}

/** Throws CORRUPT_PIXEL_DATA unless the codec's image geometry matches the header's. */
export function checkGeometry(
  codec: string,
  info: FrameInfo,
  got: { width: number; height: number; componentCount: number },
): void {
  if (got.width !== info.columns || got.height !== info.rows || got.componentCount !== info.samplesPerPixel) {
    throw corrupt(
      codec,
      `stream is ${got.width}×${got.height}×${got.componentCount} (columns×rows×samples) but the header says ` +
        `${info.columns}×${info.rows}×${info.samplesPerPixel}`,
    );
  }
}

/**
 * Copies `bytes` (little-endian samples of `bytesPerSample` bytes, as WASM codecs write them)
 * out of codec memory into a typed array of the given signedness. Length: samplesPerFrame(info).
 */
export function copySamples(codec: string, bytes: Uint8Array, bytesPerSample: 1 | 2, signed: boolean, info: FrameInfo): SampleArray {
  const n = samplesPerFrame(info);
  if (bytes.length < n * bytesPerSample) {
    throw corrupt(codec, `decoded ${bytes.length} bytes, expected ${n * bytesPerSample}`);
  }
  // Some codecs hand out Uint8ClampedArray views; copy into a plain Uint8Array.
  const copy = new Uint8Array(bytes.buffer, bytes.byteOffset, n * bytesPerSample).slice();
  const buf = copy.buffer;
  if (bytesPerSample === 1) return signed ? new Int8Array(buf) : copy;
  return signed ? new Int16Array(buf) : new Uint16Array(buf);
}

/**
 * For streams that carry no signedness (JPEG, JPEG-LS, RLE): the decoded samples are the stored
 * bit patterns. When the header says two's complement (PixelRepresentation 1), sign-extend from
 * BitsStored so that `signed: true` is truthful. Returns a new signed array of the same length.
 */
export function signExtendStored(pixels: SampleArray, bitsStored: number): Int8Array | Int16Array | Int32Array {
  const out =
    pixels.BYTES_PER_ELEMENT === 1 ? new Int8Array(pixels.length) : pixels.BYTES_PER_ELEMENT === 2 ? new Int16Array(pixels.length) : new Int32Array(pixels.length);
  const shift = 32 - bitsStored;
  for (let i = 0; i < pixels.length; i++) out[i] = (pixels[i]! << shift) >> shift;
  return out;
}

/** RRR…GGG…BBB… → RGBRGB…: `samples` holds `spp` planes of equal length. Returns a new array. */
export function planarToInterleaved<T extends SampleArray>(samples: T, spp: number): T {
  const out = new (samples.constructor as new (n: number) => T)(samples.length);
  const n = samples.length / spp;
  for (let c = 0; c < spp; c++) for (let i = 0; i < n; i++) out[i * spp + c] = samples[c * n + i]!;
  return out;
}

/**
 * Bytes a writer may leave after a JPEG EOI / JPEG 2000 EOC marker (FFD9): the pad byte of an
 * odd-length stream, which is usually zero but not always (DCMTK 3.6.7's JPEG-LS near-lossless
 * frames end FFD9 followed by one leftover byte).
 */
export const MAX_BYTES_AFTER_END_MARKER = 3;

/** The length of `stream` up to and including its final FFD9 marker, or -1 when it has none near the end. */
export function endOfCodestream(stream: Uint8Array): number {
  for (let end = stream.length; end >= 2 && end >= stream.length - MAX_BYTES_AFTER_END_MARKER; end--) {
    if (stream[end - 2] === 0xff && stream[end - 1] === 0xd9) return end;
  }
  return -1;
}

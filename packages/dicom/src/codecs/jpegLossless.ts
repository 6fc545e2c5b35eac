/**
 * JPEG lossless, process 14 (.57 any selection value, .70 selection value 1), through the pure
 * JavaScript jpeg-lossless-decoder-js.
 */
import { Decoder } from 'jpeg-lossless-decoder-js';
import { DicomError } from '../errors.js';
import { corrupt, samplesPerFrame, signExtendStored } from './frameLayout.js';
import { readJpegHeader } from './jpegHeader.js';
import type { DecodedFrame, FrameInfo, SampleArray } from './types.js';

const CODEC = 'JPEG lossless decoder (jpeg-lossless-decoder-js)';

/**
 * jpeg-lossless-decoder-js can corrupt the last sample when the final Huffman code's bits run up
 * to the EOI marker (its bit reader treats the marker as data-end too early). Two zero bytes
 * between the entropy-coded data and EOI are never read as samples (decoding stops at the last
 * pixel) but keep the reader off the marker. Returns a copy when it pads, else the input.
 */
function padBeforeEoi(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 2 && b[end - 1] === 0) end--;
  if (b[end - 2] !== 0xff || b[end - 1] !== 0xd9) return b;
  const out = new Uint8Array(end + 2);
  out.set(b.subarray(0, end - 2));
  out.set([0, 0, 0xff, 0xd9], end - 2);
  return out;
}

/** The point transform Pt (the low nibble of the first scan header's Ah/Al byte), or 0. */
function pointTransform(b: Uint8Array): number {
  for (let i = 2; i + 3 < b.length; ) {
    if (b[i] !== 0xff) return 0;
    if (b[i + 1] === 0xda) {
      const ns = b[i + 4]!;
      return (b[i + 7 + 2 * ns] ?? 0) & 15;
    }
    i += 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
  return 0;
}

/**
 * jpeg-lossless-decoder-js ignores the point transform: it seeds the predictor with 2^(P−1)
 * instead of 2^(P−Pt−1) (T.81 H.1.2.1) and does not shift the result. Since every prediction
 * chains from that seed modulo the output word, each decoded value is off by the same
 * δ = 2^(P−1) − 2^(P−Pt−1); subtracting it and shifting left by Pt gives the true samples.
 */
function undoPointTransform(samples: SampleArray, precision: number, pt: number): void {
  const modulo = samples.BYTES_PER_ELEMENT === 1 ? 0xff : 0xffff;
  const delta = (1 << (precision - 1)) - (1 << (precision - pt - 1));
  for (let i = 0; i < samples.length; i++) samples[i] = ((samples[i]! - delta) & modulo) << pt;
}

/** Decodes one lossless JPEG frame into interleaved samples of the stream's precision. */
export async function decodeJpegLossless(encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const header = readJpegHeader(encoded);
  if (!header) throw corrupt(CODEC, 'no JPEG SOI/SOF header at the start of the frame');
  if (header.sof !== 0xc3) throw corrupt(CODEC, `frame marker is FF${header.sof.toString(16).toUpperCase()}, not SOF3 (lossless Huffman)`);
  if (header.columns !== info.columns || header.rows !== info.rows || header.components.length !== info.samplesPerPixel) {
    throw corrupt(CODEC, `stream is ${header.columns}×${header.rows}×${header.components.length}, header says ${info.columns}×${info.rows}×${info.samplesPerPixel}`);
  }
  if (header.precision < 2 || header.precision > 16) throw corrupt(CODEC, `precision ${header.precision}`);
  if (header.components.length !== 1 && header.precision > 8) {
    throw new DicomError(
      'UNSUPPORTED_PIXEL_FORMAT',
      `${CODEC}: ${header.components.length}-component lossless JPEG at ${header.precision} bits is not supported; convert the file with \`dcmdjpeg\` first.`,
    );
  }
  let out: Uint8Array | Uint16Array;
  try {
    const stream = padBeforeEoi(encoded);
    out = new Decoder().decode(stream.buffer as ArrayBuffer, stream.byteOffset, stream.byteLength, header.precision <= 8 ? 1 : 2);
  } catch (err) {
    throw corrupt(CODEC, 'the codec rejected the stream', err);
  }
  if (out.length < samplesPerFrame(info)) throw corrupt(CODEC, `decoded ${out.length} samples, expected ${samplesPerFrame(info)}`);
  const samples: SampleArray = out.length === samplesPerFrame(info) ? out : out.slice(0, samplesPerFrame(info));
  const pt = pointTransform(encoded);
  if (pt > 0) undoPointTransform(samples, header.precision, pt);
  const signed = info.pixelRepresentation === 1;
  return {
    pixels: signed ? signExtendStored(samples, Math.min(info.bitsStored, header.precision)) : samples,
    signed,
    bitsPerSample: header.precision,
    photometricInterpretation: info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

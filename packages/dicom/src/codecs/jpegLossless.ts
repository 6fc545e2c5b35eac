/**
 * JPEG lossless, process 14 (.57 any selection value, .70 selection value 1), through the pure
 * JavaScript jpeg-lossless-decoder-js.
 */
import { Decoder } from 'jpeg-lossless-decoder-js';
import { corrupt, samplesPerFrame, signExtendStored } from './frameLayout.js';
import { readJpegHeader } from './jpegHeader.js';
import type { DecodedFrame, FrameInfo, SampleArray } from './types.js';

const CODEC = 'JPEG lossless decoder (jpeg-lossless-decoder-js)';

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
    throw corrupt(CODEC, `${header.components.length} components at ${header.precision} bits are not supported by this decoder`);
  }
  let out: Uint8Array | Uint16Array;
  try {
    // The decoder keeps the ArrayBuffer and reads from offset/length, so no copy is needed.
    out = new Decoder().decode(encoded.buffer as ArrayBuffer, encoded.byteOffset, encoded.byteLength, header.precision <= 8 ? 1 : 2);
  } catch (err) {
    throw corrupt(CODEC, 'the codec rejected the stream', err);
  }
  if (out.length < samplesPerFrame(info)) throw corrupt(CODEC, `decoded ${out.length} samples, expected ${samplesPerFrame(info)}`);
  const samples: SampleArray = out.length === samplesPerFrame(info) ? out : out.slice(0, samplesPerFrame(info));
  const signed = info.pixelRepresentation === 1;
  return {
    pixels: signed ? signExtendStored(samples, Math.min(info.bitsStored, header.precision)) : samples,
    signed,
    bitsPerSample: header.precision,
    photometricInterpretation: info.photometricInterpretation,
    planarConfiguration: 0,
  };
}

/**
 * JPEG, lossless JPEG and JPEG-LS share the SOI/SOFn marker syntax, and real files are sometimes
 * labelled with the wrong one of their transfer syntaxes (a baseline stream under a lossless
 * UID, as some converters write). The frame header says which process was used, so the decoder
 * is chosen from it; the UID only decides which family to look in.
 */
import { decodeCharls } from './charls.js';
import { decodeJpegLossless } from './jpegLossless.js';
import { decodeJpegLossy } from './jpegLossy.js';
import { readJpegHeader } from './jpegHeader.js';
import type { FrameDecoder } from './types.js';

/** A decoder that dispatches on the stream's SOF marker, falling back to `declared`. */
export function byFrameMarker(declared: FrameDecoder): FrameDecoder {
  return (encoded, info) => {
    const sof = readJpegHeader(encoded)?.sof;
    if (sof === 0xc3) return decodeJpegLossless(encoded, info);
    if (sof === 0xf7) return decodeCharls(encoded, info);
    if (sof === 0xc0 || sof === 0xc1 || sof === 0xc2) return decodeJpegLossy(encoded, info);
    return declared(encoded, info);
  };
}

/**
 * Decoding of encapsulated (compressed) pixel data: one frame at a time, by transfer syntax UID.
 * WASM codecs are instantiated lazily on first use and cached.
 */
import { DicomError } from '../errors.js';
import type { DecodedFrame, FrameDecoder, FrameInfo } from './types.js';
import { CHARLS, ENCAPSULATED_SYNTAXES, JPEG_LOSSLESS, LIBJPEG_TURBO, OPENJPEG, OPENJPH, RLE } from './transferSyntaxes.js';
import { decodeCharls } from './charls.js';
import { decodeJpegLossless } from './jpegLossless.js';
import { decodeJpegLossy } from './jpegLossy.js';
import { decodeOpenjpeg } from './openjpeg.js';
import { decodeOpenjph } from './openjph.js';
import { decodeRle } from './rle.js';
import { byFrameMarker } from './jpegFamily.js';
import { corrupt, samplesPerFrame } from './frameLayout.js';

const DECODERS: Record<string, FrameDecoder> = {
  [LIBJPEG_TURBO]: byFrameMarker(decodeJpegLossy),
  [JPEG_LOSSLESS]: byFrameMarker(decodeJpegLossless),
  [CHARLS]: byFrameMarker(decodeCharls),
  [OPENJPEG]: decodeOpenjpeg,
  [OPENJPH]: decodeOpenjph,
  [RLE]: async (encoded, info) => decodeRle(encoded, info),
};

/** Deflated Explicit VR Little Endian and friends are not encapsulated; JPIP syntaxes reference pixel data elsewhere. */
const REFERENCED = new Set(['1.2.840.10008.1.2.4.94', '1.2.840.10008.1.2.4.95', '1.2.840.10008.1.2.4.204', '1.2.840.10008.1.2.4.205']);

/** True when Pixel Data in this transfer syntax is encapsulated (fragments), compressed or not supported. */
export function isEncapsulatedSyntax(tsUid: string): boolean {
  const uid = tsUid.trim().replace(/\0+$/, '');
  if (REFERENCED.has(uid)) return false;
  return uid.startsWith('1.2.840.10008.1.2.4.') || uid === '1.2.840.10008.1.2.5' || uid === '1.2.840.10008.1.2.8.1';
}

/** The transfer syntaxes `decodeFrame` decodes, with the codec used for each. */
export function supportedTransferSyntaxes(): { uid: string; name: string; codec: string }[] {
  return ENCAPSULATED_SYNTAXES.filter((s) => s.codec !== undefined).map((s) => ({ uid: s.uid, name: s.name, codec: s.codec! }));
}

function unsupported(uid: string): DicomError {
  const known = ENCAPSULATED_SYNTAXES.find((s) => s.uid === uid);
  const list = supportedTransferSyntaxes()
    .map((s) => `${s.uid} (${s.name})`)
    .join(', ');
  const what = known ? `${uid} (${known.name}) is not supported` : `${uid} is not a transfer syntax this decoder knows`;
  return new DicomError(
    'UNSUPPORTED_TRANSFER_SYNTAX',
    `transfer syntax ${what}. Supported encapsulated syntaxes: ${list}. Convert the file first, e.g. ` +
      '`gdcmconv --raw in.dcm out.dcm` (uncompressed) or `gdcmconv --j2k in.dcm out.dcm`.',
  );
}

/**
 * Decodes one encoded frame (its fragments concatenated, see frames.ts) of transfer syntax `tsUid`.
 * Returns rows × columns × samplesPerPixel samples.
 *
 * @throws DicomError UNSUPPORTED_TRANSFER_SYNTAX for a syntax without a decoder here;
 *   CORRUPT_PIXEL_DATA when the codec fails or yields the wrong number of samples.
 */
export async function decodeFrame(tsUid: string, encoded: Uint8Array, info: FrameInfo): Promise<DecodedFrame> {
  const uid = tsUid.trim().replace(/\0+$/, '');
  const codec = ENCAPSULATED_SYNTAXES.find((s) => s.uid === uid)?.codec;
  const decode = codec === undefined ? undefined : DECODERS[codec];
  if (!decode) throw unsupported(uid);
  if (encoded.length === 0) throw corrupt(codec!, 'the frame has no bytes');
  const frame = await decode(encoded, info);
  if (frame.pixels.length !== samplesPerFrame(info)) {
    throw corrupt(codec!, `decoded ${frame.pixels.length} samples, expected ${samplesPerFrame(info)} (rows × columns × samples per pixel)`);
  }
  return frame;
}

export type { DecodedFrame, FrameDecoder, FrameInfo } from './types.js';

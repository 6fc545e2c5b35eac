import { deflateRawSync } from 'node:zlib';
import { DICTIONARY, type Keyword } from './dictionary.js';
import type { BinaryValue, DicomElement, ElementList, ElementValue } from './element.js';
import { encodeDataSet } from './encodeDataSet.js';
import { encodePixelFrames } from './encodePixelFrames.js';
import { DicomWriteError } from './errors.js';
import { encodeFileMeta } from './fileMeta.js';
import { transferSyntaxLayout } from './transferSyntax.js';

export interface WriteDicomOptions {
  /** One of WRITABLE_TRANSFER_SYNTAXES. JPEG-LS and JPEG 2000 need `await loadPixelEncoders()` first. */
  transferSyntaxUID: string;
  /** (0002,0016) Source Application Entity Title, when the writer has one. */
  sourceAeTitle?: string;
}

function find(list: ElementList, keyword: Keyword): DicomElement | undefined {
  const tag = DICTIONARY[keyword][0];
  return list.find((e) => e.tag === tag);
}

function requiredString(list: ElementList, keyword: Keyword): string {
  const v = find(list, keyword)?.value;
  if (typeof v !== 'string' || v.length === 0) {
    throw new DicomWriteError('INVALID_DATASET', `the data set needs ${keyword} to write a Part 10 file; add it`);
  }
  return v;
}

function integer(list: ElementList, keyword: Keyword, fallback?: number): number {
  const v: ElementValue | undefined = find(list, keyword)?.value;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Array.isArray(v) && v.length === 1 ? Number(v[0]) : fallback;
  if (n === undefined || !Number.isInteger(n)) {
    throw new DicomWriteError('INVALID_DATASET', `compressed Pixel Data needs an integer ${keyword} in the data set; add it`);
  }
  return n;
}

/**
 * Replaces native Pixel Data by its compressed frames when the transfer syntax is encapsulated,
 * and refuses the mismatches (compressed frames in a native syntax, and the reverse).
 */
function preparePixelData(list: ElementList, codec: ReturnType<typeof transferSyntaxLayout>['codec']): ElementList {
  const tag = DICTIONARY.PixelData[0];
  const index = list.findIndex((e) => e.tag === tag);
  if (index < 0) return list;
  const pixel = list[index]!;
  const isFrames = typeof pixel.value === 'object' && pixel.value !== null && 'kind' in pixel.value;
  if (!codec) {
    if (isFrames) throw new DicomWriteError('INVALID_PIXEL_DATA', 'Pixel Data holds compressed frames; write it with their encapsulated transfer syntax');
    return list;
  }
  if (isFrames) return list;
  if (!ArrayBuffer.isView(pixel.value)) throw new DicomWriteError('INVALID_PIXEL_DATA', 'Pixel Data must be a typed array of samples');
  const bitsAllocated = integer(list, 'BitsAllocated');
  const pixelRepresentation = integer(list, 'PixelRepresentation');
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    throw new DicomWriteError('INVALID_DATASET', `PixelRepresentation must be 0 or 1, got ${pixelRepresentation}`);
  }
  const frames = encodePixelFrames(pixel.value as BinaryValue, {
    rows: integer(list, 'Rows'),
    columns: integer(list, 'Columns'),
    samplesPerPixel: integer(list, 'SamplesPerPixel'),
    bitsAllocated,
    bitsStored: integer(list, 'BitsStored', bitsAllocated),
    pixelRepresentation,
    numberOfFrames: integer(list, 'NumberOfFrames', 1),
  }, codec);
  const out = [...list];
  out[index] = { tag, vr: 'OB', value: { kind: 'encapsulated', frames } };
  return out;
}

/**
 * A DICOM Part 10 file (PS3.10 §7): 128-byte zero preamble, `DICM`, the File Meta group (from
 * the data set's SOP Class/Instance UIDs and the transfer syntax), then the data set in that
 * transfer syntax — deflated for 1.2.840.10008.1.2.1.99, pixel data compressed and
 * encapsulated for RLE / JPEG-LS / JPEG 2000.
 *
 * @param dataset the attributes, any order; group 0002 is written by the writer, not taken from here.
 * @throws DicomWriteError for an invalid value, a missing UID, pixel data that does not match
 *   the Image Pixel attributes, or a JPEG-LS/JPEG 2000 write before `loadPixelEncoders()`.
 */
export function writeDicom(dataset: ElementList, options: WriteDicomOptions): Uint8Array {
  const layout = transferSyntaxLayout(options.transferSyntaxUID);
  const meta = dataset.find((e) => e.tag >>> 16 === 0x0002);
  if (meta) {
    throw new DicomWriteError('INVALID_DATASET', 'group 0002 (File Meta) is written by writeDicom from the data set and options; remove it from the data set');
  }
  const fileMeta = encodeFileMeta({
    sopClassUid: requiredString(dataset, 'SOPClassUID'),
    sopInstanceUid: requiredString(dataset, 'SOPInstanceUID'),
    transferSyntaxUid: options.transferSyntaxUID,
    ...(options.sourceAeTitle !== undefined ? { sourceAeTitle: options.sourceAeTitle } : {}),
  });
  let body = encodeDataSet(preparePixelData(dataset, layout.codec), { explicitVr: layout.explicitVr, littleEndian: layout.littleEndian });
  if (layout.deflated) {
    const deflated = deflateRawSync(body, { level: 6 });
    // Keep the file an even number of bytes, as every DICOM stream is; inflaters stop at the end of the deflate stream.
    body = new Uint8Array(deflated.length + (deflated.length % 2));
    body.set(deflated);
  }
  const out = new Uint8Array(132 + fileMeta.length + body.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(fileMeta, 132);
  out.set(body, 132 + fileMeta.length);
  return out;
}

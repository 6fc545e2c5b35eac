import { formatTag } from './dictionary.js';
import type { DicomElement, ElementList, EncapsulatedFrames } from './element.js';
import { encodeValue } from './encodeValue.js';
import { DicomWriteError } from './errors.js';
import { hasLongLength } from './vr.js';

const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
/** Largest even value length a 16-bit length field can carry. */
const MAX_SHORT_LENGTH = 0xfffe;

export interface DataSetEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

/** Collects byte chunks and joins them once at the end. */
class ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private total = 0;

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  /** Writes a tag with no VR, as items and delimiters are written in every syntax, and a 32-bit length. */
  pushItemHeader(tag: number, length: number, littleEndian: boolean): void {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint16(0, tag >>> 16, littleEndian);
    v.setUint16(2, tag & 0xffff, littleEndian);
    v.setUint32(4, length, littleEndian);
    this.push(b);
  }

  join(): Uint8Array {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function isEncapsulated(v: DicomElement['value']): v is EncapsulatedFrames {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Array.isArray(v) && (v as EncapsulatedFrames).kind === 'encapsulated';
}

function pushHeader(sink: ByteSink, el: DicomElement, length: number, enc: DataSetEncoding): void {
  const { littleEndian } = enc;
  if (!enc.explicitVr) {
    sink.pushItemHeader(el.tag, length, littleEndian);
    return;
  }
  const long = hasLongLength(el.vr);
  if (!long && length > MAX_SHORT_LENGTH) {
    throw new DicomWriteError(
      'INVALID_VALUE',
      `${formatTag(el.tag)} ${el.vr}: value of ${length} bytes does not fit the 16-bit length of explicit VR ${el.vr}; shorten it`,
    );
  }
  const b = new Uint8Array(long ? 12 : 8);
  const v = new DataView(b.buffer);
  v.setUint16(0, el.tag >>> 16, littleEndian);
  v.setUint16(2, el.tag & 0xffff, littleEndian);
  b[4] = el.vr.charCodeAt(0);
  b[5] = el.vr.charCodeAt(1);
  if (long) v.setUint32(8, length, littleEndian);
  else v.setUint16(6, length, littleEndian);
  sink.push(b);
}

/**
 * Encapsulated Pixel Data (PS3.5 §A.4): an undefined-length OB element holding a Basic Offset
 * Table item (the byte offset of each frame's first fragment item, counted from the first byte
 * of the first item after the table), one fragment item per frame padded with a trailing NUL
 * to even length, then a Sequence Delimitation Item. Always little endian.
 */
function pushEncapsulated(sink: ByteSink, el: DicomElement, frames: readonly Uint8Array[], enc: DataSetEncoding): void {
  if (!enc.littleEndian) {
    throw new DicomWriteError('INVALID_DATASET', 'encapsulated pixel data exists only in little-endian transfer syntaxes');
  }
  pushHeader(sink, { ...el, vr: 'OB' }, UNDEFINED_LENGTH, enc);
  const offsets = new Uint8Array(4 * frames.length);
  const offsetView = new DataView(offsets.buffer);
  let at = 0;
  frames.forEach((f, i) => {
    if (f.length === 0) throw new DicomWriteError('INVALID_PIXEL_DATA', `encoded frame ${i} is empty`);
    offsetView.setUint32(4 * i, at, true);
    at += 8 + f.length + (f.length % 2);
  });
  sink.pushItemHeader(ITEM, offsets.length, true);
  sink.push(offsets);
  for (const f of frames) {
    sink.pushItemHeader(ITEM, f.length + (f.length % 2), true);
    sink.push(f);
    if (f.length % 2) sink.push(new Uint8Array(1));
  }
  sink.pushItemHeader(SEQUENCE_DELIMITATION, 0, true);
}

function pushSequence(sink: ByteSink, el: DicomElement, enc: DataSetEncoding): void {
  const items = el.value === null ? [] : el.value;
  if (!Array.isArray(items) || items.some((it) => !Array.isArray(it))) {
    throw new DicomWriteError('INVALID_VALUE', `${formatTag(el.tag)} SQ: expected a list of items (each an element list)`);
  }
  // Undefined lengths with delimiters: items can be written without measuring them first.
  pushHeader(sink, el, UNDEFINED_LENGTH, enc);
  for (const item of items as ElementList[]) {
    sink.pushItemHeader(ITEM, UNDEFINED_LENGTH, enc.littleEndian);
    encodeInto(sink, item, enc);
    sink.pushItemHeader(ITEM_DELIMITATION, 0, enc.littleEndian);
  }
  sink.pushItemHeader(SEQUENCE_DELIMITATION, 0, enc.littleEndian);
}

/** Sorted by tag, refusing repeats (a data set holds each attribute once). */
export function sortedElements(list: ElementList): DicomElement[] {
  const sorted = [...list].sort((a, b) => (a.tag >>> 0) - (b.tag >>> 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.tag === sorted[i - 1]!.tag) {
      throw new DicomWriteError('INVALID_DATASET', `${formatTag(sorted[i]!.tag)} appears twice; a data set holds each attribute once`);
    }
  }
  return sorted;
}

function encodeInto(sink: ByteSink, list: ElementList, enc: DataSetEncoding): void {
  for (const el of sortedElements(list)) {
    if (el.vr === 'SQ') pushSequence(sink, el, enc);
    else if (isEncapsulated(el.value)) pushEncapsulated(sink, el, el.value.frames, enc);
    else {
      const value = encodeValue(el, enc.littleEndian);
      pushHeader(sink, el, value.length, enc);
      sink.push(value);
    }
  }
}

/** The bytes of a data set (no preamble, no File Meta group) in the given encoding, elements in tag order. */
export function encodeDataSet(list: ElementList, enc: DataSetEncoding): Uint8Array {
  const sink = new ByteSink();
  encodeInto(sink, list, enc);
  return sink.join();
}

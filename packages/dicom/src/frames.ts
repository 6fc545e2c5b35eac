/**
 * Locates the encoded bytes of one frame in encapsulated Pixel Data (PS3.5 A.4).
 *
 * Order of trust: the Extended Offset Table (7FE0,0001/0002), then the Basic Offset Table, each
 * used only when every offset lands on a fragment boundary; otherwise the fragments themselves:
 * one frame → all fragments; as many fragments as frames → one each; more fragments than frames
 * → split where a fragment starts a new JPEG / JPEG 2000 codestream (SOI or SOC marker) right
 * after one that ended with EOI/EOC, or starts with an RLE header.
 */
import type { DataSet, Fragment } from 'dicom-parser';
import { DicomError } from './errors.js';
import { endOfCodestream } from './codecs/frameLayout.js';

function corruptFragments(what: string): DicomError {
  return new DicomError(
    'CORRUPT_PIXEL_DATA',
    `Encapsulated Pixel Data: ${what}. The file's fragment structure is damaged; re-export it from the source system ` +
      '(or repair it with `gdcmconv --raw`/`dcmconv`).',
  );
}

/** Concatenates fragments [first, last) (a view, not a copy, when there is only one). */
function joinFragments(byteArray: Uint8Array, fragments: Fragment[], first: number, last: number): Uint8Array {
  if (last - first === 1) {
    const f = fragments[first]!;
    return byteArray.subarray(f.position, f.position + f.length);
  }
  let total = 0;
  for (let i = first; i < last; i++) total += fragments[i]!.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (let i = first; i < last; i++) {
    const f = fragments[i]!;
    out.set(byteArray.subarray(f.position, f.position + f.length), o);
    o += f.length;
  }
  return out;
}

/**
 * Maps frame start offsets (relative to the first fragment's item tag) to fragment indices.
 * Returns undefined unless there is one offset per frame, the first is 0, they increase strictly,
 * and each is exactly the offset of some fragment.
 */
export function offsetsToFragmentIndices(offsets: number[], fragments: Fragment[], numberOfFrames: number): number[] | undefined {
  if (offsets.length !== numberOfFrames || offsets[0] !== 0) return undefined;
  const byOffset = new Map<number, number>();
  fragments.forEach((f, i) => byOffset.set(f.offset, i));
  const indices: number[] = [];
  for (let i = 0; i < offsets.length; i++) {
    if (i > 0 && offsets[i]! <= offsets[i - 1]!) return undefined;
    const index = byOffset.get(offsets[i]!);
    if (index === undefined) return undefined;
    indices.push(index);
  }
  return indices;
}

/** The Extended Offset Table's 64-bit offsets, when present and well-formed. */
function extendedOffsets(byteArray: Uint8Array, dataSet: DataSet): number[] | undefined {
  const el = dataSet.elements['x7fe00001'];
  if (!el || el.length === 0 || el.length % 8 !== 0 || el.dataOffset + el.length > byteArray.length) return undefined;
  const view = new DataView(byteArray.buffer, byteArray.byteOffset + el.dataOffset, el.length);
  const offsets: number[] = [];
  for (let i = 0; i < el.length; i += 8) offsets.push(Number(view.getBigUint64(i, true)));
  return offsets;
}

/** Start of a JPEG (FFD8 SOI) or JPEG 2000 (FF4F SOC) codestream. */
function startsCodestream(byteArray: Uint8Array, f: Fragment): boolean {
  return f.length >= 2 && byteArray[f.position] === 0xff && (byteArray[f.position + 1] === 0xd8 || byteArray[f.position + 1] === 0x4f);
}

/** Ends with EOI/EOC (FFD9), allowing the pad byte(s) a writer may leave after it. */
function endsCodestream(byteArray: Uint8Array, f: Fragment): boolean {
  return endOfCodestream(byteArray.subarray(f.position, f.position + f.length)) >= 0;
}

/**
 * Starts with an RLE frame header (PS3.5 G.5): 1–15 segments, the first at offset 64, the others
 * increasing, unused offsets zero. Sixty-four bytes of that shape do not occur by chance.
 */
function startsRleFrame(byteArray: Uint8Array, f: Fragment): boolean {
  if (f.length < 64) return false;
  const view = new DataView(byteArray.buffer, byteArray.byteOffset + f.position, 64);
  const n = view.getUint32(0, true);
  if (n < 1 || n > 15 || view.getUint32(4, true) !== 64) return false;
  for (let s = 1; s < 15; s++) {
    const offset = view.getUint32(4 + 4 * s, true);
    if (s < n ? offset <= view.getUint32(4 * s, true) : offset !== 0) return false;
  }
  return true;
}

/**
 * Fragment index where each frame starts, found from the data: a fragment that opens a JPEG or
 * JPEG 2000 codestream right after one that closed one, or that opens with an RLE header.
 */
export function framesFromMarkers(byteArray: Uint8Array, fragments: Fragment[], numberOfFrames: number): number[] | undefined {
  if (fragments.length === 0) return undefined;
  const first = fragments[0]!;
  const rle = startsRleFrame(byteArray, first);
  if (!rle && !startsCodestream(byteArray, first)) return undefined;
  const starts = [0];
  for (let i = 1; i < fragments.length; i++) {
    const f = fragments[i]!;
    const opens = rle ? startsRleFrame(byteArray, f) : startsCodestream(byteArray, f) && endsCodestream(byteArray, fragments[i - 1]!);
    if (opens) starts.push(i);
  }
  return starts.length === numberOfFrames ? starts : undefined;
}

/**
 * The encoded bytes of frame `frameIndex` (0-based): its fragments concatenated. When the frame
 * is a single fragment the result is a view into `byteArray` (no copy): do not modify it.
 *
 * @param byteArray the whole file, as given to dicomParser.parseDicom
 * @param dataSet the parsed data set; its Pixel Data element must be encapsulated
 * @param numberOfFrames NumberOfFrames (1 when absent)
 * @throws DicomError FRAME_OUT_OF_RANGE, or CORRUPT_PIXEL_DATA when the fragments are missing,
 *   run past the end of the file, or cannot be assigned to frames.
 */
export function encapsulatedFrame(byteArray: Uint8Array, dataSet: DataSet, frameIndex: number, numberOfFrames: number): Uint8Array {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= numberOfFrames) {
    throw new DicomError(
      'FRAME_OUT_OF_RANGE',
      `frame ${frameIndex} does not exist: the image has ${numberOfFrames} frame(s), numbered 0 to ${numberOfFrames - 1}.`,
    );
  }
  const el = dataSet.elements['x7fe00010'];
  if (!el) throw new DicomError('NO_PIXEL_DATA', 'the data set has no Pixel Data (7FE0,0010); it is not an image.');
  const fragments = el.fragments;
  if (!el.encapsulatedPixelData || !fragments) {
    throw corruptFragments('the transfer syntax is encapsulated but Pixel Data has a defined length (native layout)');
  }
  if (fragments.length === 0) throw corruptFragments('there are no fragments');
  fragments.forEach((f, i) => {
    if (f.position + f.length > byteArray.length) {
      throw corruptFragments(`fragment ${i} (${f.length} bytes at ${f.position}) runs past the end of the file (${byteArray.length} bytes): the file is truncated`);
    }
  });

  const eot = extendedOffsets(byteArray, dataSet);
  const starts =
    (eot && offsetsToFragmentIndices(eot, fragments, numberOfFrames)) ??
    offsetsToFragmentIndices(el.basicOffsetTable ?? [], fragments, numberOfFrames) ??
    (numberOfFrames === 1 ? [0] : undefined) ??
    (fragments.length === numberOfFrames ? fragments.map((_, i) => i) : undefined) ??
    (fragments.length > numberOfFrames ? framesFromMarkers(byteArray, fragments, numberOfFrames) : undefined);
  if (!starts) {
    throw corruptFragments(
      `cannot tell which of the ${fragments.length} fragments belong to which of the ${numberOfFrames} frames ` +
        '(no usable offset table, and the fragments do not split at codestream boundaries)',
    );
  }
  const first = starts[frameIndex]!;
  const last = frameIndex + 1 < starts.length ? starts[frameIndex + 1]! : fragments.length;
  return joinFragments(byteArray, fragments, first, last);
}

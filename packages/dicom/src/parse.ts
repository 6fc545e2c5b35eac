import { open, readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet } from 'dicom-parser';
import { readInfo, TAG } from './attributes.js';
import { DicomError, isDicomError } from './errors.js';
import { DicomImage } from './image.js';
import { isEncapsulatedSyntax } from './codecs/index.js';
import { LONG_VRS, rewrite64BitVrs } from './vr64.js';
import {
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
  EXPLICIT_VR_BIG_ENDIAN,
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
} from './uids.js';

export interface ParseOptions {
  /** Reported in errors and in `info.file`. */
  file?: string;
  /** Stop at the Pixel Data tag: attributes only, fast; `frame()` then refuses. */
  headerOnly?: boolean;
}

const PREAMBLE = 128;

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return bytes.length >= at + 4 && bytes[at] === 0x44 && bytes[at + 1] === 0x49 && bytes[at + 2] === 0x43 && bytes[at + 3] === 0x4d;
}

function isUpper(b: number | undefined): boolean {
  return b !== undefined && b >= 0x41 && b <= 0x5a;
}

/**
 * Guesses the transfer syntax of a data set without File Meta from its first element, as
 * pydicom and DCMTK do: a group number that reads small only big-endian means big endian,
 * two upper-case letters after the tag mean explicit VR. Undefined when the first tag does
 * not look like the start of a data set (group 0x0001–0x00FF or 0x7FE0).
 */
export function guessRawTransferSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const le = bytes[0]! | (bytes[1]! << 8);
  const be = (bytes[0]! << 8) | bytes[1]!;
  const plausible = (g: number) => (g >= 0x0001 && g <= 0x00ff) || g === 0x7fe0;
  const explicit = isUpper(bytes[4]) && isUpper(bytes[5]);
  if (plausible(le)) return explicit ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
  if (plausible(be) && explicit) return EXPLICIT_VR_BIG_ENDIAN;
  return undefined;
}

/**
 * Walks a File Meta group (explicit VR little endian) starting at `start`.
 * @returns the byte position just after it, and its Transfer Syntax UID if present.
 */
function metaGroup(bytes: Uint8Array, start: number): { end: number; transferSyntax?: string } {
  let pos = start;
  let transferSyntax: string | undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (pos + 8 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    const element = view.getUint16(pos + 2, true);
    const vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
    // Some old writers encode the File Meta in implicit VR (no VR letters, 4-byte length), which
    // pydicom and DCMTK accept.
    const implicit = !isUpper(bytes[pos + 4]) || !isUpper(bytes[pos + 5]);
    const long = !implicit && LONG_VRS.has(vr);
    const length = implicit
      ? view.getUint32(pos + 4, true)
      : long ? (pos + 12 <= bytes.length ? view.getUint32(pos + 8, true) : Infinity) : view.getUint16(pos + 6, true);
    const data = pos + (long ? 12 : 8);
    if (element === 0x0010 && data + length <= bytes.length) {
      transferSyntax = String.fromCharCode(...bytes.subarray(data, data + length)).replace(/[\0 ]+$/, '');
    }
    pos = data + length;
  }
  return { end: pos, transferSyntax };
}

const NATIVE_VR_SYNTAXES = new Set([IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN]);

function messageOf(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'exception' in err) return messageOf((err as { exception: unknown }).exception);
  return err instanceof Error ? err.message : String(err);
}

/** Turns a dicom-parser failure (a string, an Error or {exception, dataSet}) into a DicomError. */
function parserError(err: unknown, file: string | undefined): DicomError {
  const msg = messageOf(err);
  // 'maxPosition': a sequence or item whose declared length runs past the end of the bytes.
  if (/past end of buffer|overrun|eof encountered|beyond|end of buffer|unexpected end of file|maxPosition/i.test(msg)) {
    return new DicomError('TRUNCATED', `the file ends inside an element (${msg}); it was cut short while copying or transferring: copy it again from the source`, { cause: err, file });
  }
  if (/basic offset table not found/.test(msg)) {
    return new DicomError('CORRUPT_PIXEL_DATA', `encapsulated Pixel Data does not start with a Basic Offset Table item (${msg}); the file is damaged or mislabelled`, { cause: err, file });
  }
  if (/inflate|invalid (stored|block|distance|code)|incorrect header check/i.test(msg)) {
    return new DicomError('CORRUPT_PIXEL_DATA', `the deflated data set cannot be inflated (${msg}); the file is damaged`, { cause: err, file });
  }
  return new DicomError('NOT_DICOM', `not a readable DICOM data set (${msg})`, { cause: err, file });
}

/** A top-level element whose declared length runs past the end of the bytes means truncation. */
function checkLengths(ds: DataSet, file: string | undefined, headerOnly: boolean): void {
  const size = ds.byteArray.length;
  for (const tag in ds.elements) {
    const el = ds.elements[tag]!;
    if (el.hadUndefinedLength || el.dataOffset === undefined) continue;
    if (headerOnly && tag === TAG.pixelData) continue;
    if (el.dataOffset + el.length > size) {
      throw new DicomError(
        'TRUNCATED',
        `element (${tag.slice(1, 5)},${tag.slice(5)}) needs ${el.length} bytes at offset ${el.dataOffset} but the data set ends at ${size}; the file was cut short: copy it again from the source`,
        { file },
      );
    }
  }
}

interface Layout {
  /** Bytes given to dicom-parser: a Part 10 file with preamble, or a raw data set. */
  bytes: Uint8Array;
  /** Transfer syntax to assume when there is no File Meta group. */
  rawSyntax?: string;
}

/** Normalises the three shapes a DICOM file comes in to what dicom-parser reads. */
function layout(bytes: Uint8Array, file: string | undefined): Layout {
  if (hasMagic(bytes, PREAMBLE)) return { bytes };
  // No preamble: 'DICM' then the meta group, or the meta group right away (seen from some PACS exports).
  const metaAt = hasMagic(bytes, 0) ? 4 : bytes.length >= 8 && bytes[0] === 0x02 && bytes[1] === 0x00 && isUpper(bytes[4]) && isUpper(bytes[5]) ? 0 : -1;
  if (metaAt >= 0) {
    const withPreamble = new Uint8Array(PREAMBLE + 4 + bytes.length - metaAt);
    withPreamble.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE);
    withPreamble.set(bytes.subarray(metaAt), PREAMBLE + 4);
    return { bytes: withPreamble };
  }
  const rawSyntax = guessRawTransferSyntax(bytes);
  if (rawSyntax === undefined) {
    throw new DicomError('NOT_DICOM', 'no DICM prefix at byte 128 and the first bytes are not a DICOM data element: this is not a DICOM file', { file });
  }
  return { bytes, rawSyntax };
}

function parseWith(bytes: Uint8Array, rawSyntax: string | undefined, untilTag: string | undefined): DataSet {
  return dicomParser.parseDicom(bytes, {
    ...(rawSyntax ? { TransferSyntaxUID: rawSyntax } : {}),
    ...(untilTag ? { untilTag } : {}),
  } as dicomParser.ParseDicomOptions);
}

/**
 * Parses a DICOM Part 10 file (with or without preamble) or a raw data set without File Meta
 * (transfer syntax guessed from the first element; likewise when the File Meta has no Transfer
 * Syntax UID or declares the wrong VR encoding or byte order for the data set). Implicit/explicit VR little endian,
 * explicit big endian and deflated explicit little endian data sets; encapsulated pixel data
 * is left for the codecs. Throws DicomError NOT_DICOM, TRUNCATED, NO_PIXEL_DATA or INVALID_ATTRIBUTE.
 */
export function parseDicom(bytes: Uint8Array, options: ParseOptions = {}): DicomImage {
  const { file, headerOnly = false } = options;
  let { bytes: input, rawSyntax } = layout(bytes, file);
  /** The syntax of the pixel data when it differs from the one the data set is parsed with. */
  let pixelSyntax: string | undefined;
  if (rawSyntax === undefined) {
    // Some writers leave out the Transfer Syntax UID, or declare explicit VR over an implicit
    // VR data set (or the reverse): the data set itself is then believed, as pydicom does.
    const meta = metaGroup(input, PREAMBLE + 4);
    if (meta.end > input.length) {
      throw new DicomError('TRUNCATED', 'the file ends inside its File Meta group; it was cut short while copying or transferring: copy it again from the source', { file });
    }
    const declared = meta.transferSyntax;
    const guessed = guessRawTransferSyntax(input.subarray(meta.end));
    const mismatch = declared !== undefined && guessed !== undefined && guessed !== declared;
    if (declared === undefined || (NATIVE_VR_SYNTAXES.has(declared) && mismatch)) {
      if (guessed === undefined) {
        throw new DicomError('NOT_DICOM', 'the File Meta group has no Transfer Syntax UID (0002,0010) and the data set after it is not recognisable', { file });
      }
      rawSyntax = guessed;
    } else if (mismatch && guessed === IMPLICIT_VR_LITTLE_ENDIAN && isEncapsulatedSyntax(declared)) {
      // A compressed syntax over an implicit VR data set: parse implicit, decode as declared.
      rawSyntax = guessed;
      pixelSyntax = declared;
    } else {
      rawSyntax = declared;
    }
    // dicom-parser is given the data set alone: its own File Meta reader runs on while tags sort
    // below (0002,FFFF), so a data set starting with a group 0000 element (DCMTK keeps a
    // CommandGroupLength some writers leave in) was read as meta in explicit VR and misparsed.
    input = input.subarray(meta.end);
  }
  /** How the (inflated) data set is encoded. */
  let encoding = rawSyntax;
  if (rawSyntax === DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    try {
      input = inflateRawSync(input);
    } catch (err) {
      throw parserError(err, file);
    }
    encoding = EXPLICIT_VR_LITTLE_ENDIAN;
  }
  if (encoding !== IMPLICIT_VR_LITTLE_ENDIAN) input = rewrite64BitVrs(input, 0, encoding !== EXPLICIT_VR_BIG_ENDIAN);
  // Nothing after Pixel Data is needed (trailing padding can be megabytes of empty elements),
  // so parsing stops at its tag; encapsulated fragments are then read on their own.
  let ds: DataSet;
  try {
    ds = parseWith(input, encoding, TAG.pixelData);
    if (!headerOnly) readFragments(ds, isEncapsulatedSyntax(pixelSyntax ?? rawSyntax ?? ''));
  } catch (err) {
    throw parserError(err, file);
  }
  checkLengths(ds, file, headerOnly);
  const syntax = pixelSyntax ?? rawSyntax ?? IMPLICIT_VR_LITTLE_ENDIAN;
  const info = readInfo(ds, syntax.replace(/\0/g, '').trim(), file);
  return new DicomImage(info, ds, { headerOnly });
}

/** dicom-parser's fragment reader: exported at runtime, missing from its type declarations. */
type FragmentReader = (stream: dicomParser.ByteStream, element: dicomParser.Element, warnings: string[]) => void;

/**
 * Reads the item structure (basic offset table, fragments) of an encapsulated Pixel Data element,
 * as dicom-parser does when it parses past it. Items are always little endian. Some writers give
 * encapsulated Pixel Data a defined length (pydicom reads those too): its items are then read
 * within that length, when the value starts with an item tag.
 */
function readFragments(ds: DataSet, encapsulated: boolean): void {
  const el = ds.elements[TAG.pixelData];
  if (!el) return;
  const b = ds.byteArray;
  const at = el.dataOffset;
  const startsWithItem = at + 8 <= b.length && b[at] === 0xfe && b[at + 1] === 0xff && b[at + 2] === 0x00 && b[at + 3] === 0xe0;
  if (!el.hadUndefinedLength && !(encapsulated && startsWithItem)) return;
  const end = el.hadUndefinedLength ? b.length : Math.min(b.length, at + el.length);
  const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, b.subarray(0, end), at);
  (dicomParser as unknown as { findEndOfEncapsulatedElement: FragmentReader }).findEndOfEncapsulatedElement(stream, el, ds.warnings);
}

const HEADER_PROBE = 256 * 1024;

async function readPrefix(path: string, length: number): Promise<{ bytes: Uint8Array; whole: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const n = Math.min(size, length);
    const bytes = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await handle.read(bytes, got, n - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return { bytes: bytes.subarray(0, got), whole: got >= size };
  } finally {
    await handle.close();
  }
}

function ioError(err: unknown, path: string): DicomError {
  const code = (err as { code?: string }).code ?? '';
  return new DicomError('IO_ERROR', `cannot read the file (${code || messageOf(err)}); check the path and permissions`, { cause: err, file: path });
}

/**
 * Reads and parses a file. With `headerOnly`, only the first 256 KiB are read when the Pixel
 * Data tag lies within them (the whole file otherwise, and always for deflated data sets).
 */
export async function readDicomFile(path: string, options: { headerOnly?: boolean } = {}): Promise<DicomImage> {
  if (options.headerOnly) {
    let probe: { bytes: Uint8Array; whole: boolean };
    try {
      probe = await readPrefix(path, HEADER_PROBE);
    } catch (err) {
      throw ioError(err, path);
    }
    if (!probe.whole) {
      try {
        const image = parseDicom(probe.bytes, { file: path, headerOnly: true });
        if (image.info.transferSyntaxUID !== DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) return image;
      } catch (err) {
        // A prefix can fail in many ways (cut element, cut deflate stream, Pixel Data beyond it);
        // so the verdict is left to the whole file below.
        if (!isDicomError(err)) throw err;
      }
    } else {
      return parseDicom(probe.bytes, { file: path, headerOnly: true });
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw ioError(err, path);
  }
  return parseDicom(bytes, { file: path, headerOnly: options.headerOnly ?? false });
}

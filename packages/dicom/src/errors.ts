/** What went wrong with a DICOM input, as a stable machine-readable code. */
export type DicomErrorCode =
  /** The bytes are not a DICOM Part 10 file or a raw data set. */
  | 'NOT_DICOM'
  /** The file ends before an element or the pixel data does. */
  | 'TRUNCATED'
  /** The transfer syntax is known but no decoder for it is available. */
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  /** Pixel data is present but cannot be decoded (codec failure, wrong length, bad fragments). */
  | 'CORRUPT_PIXEL_DATA'
  /** The data set has no Pixel Data (e.g. a structured report or presentation state). */
  | 'NO_PIXEL_DATA'
  /** A required attribute is missing or has an impossible value (Rows = 0, BitsStored > BitsAllocated, …). */
  | 'INVALID_ATTRIBUTE'
  /** The pixel layout is valid DICOM but not supported by this pipeline. */
  | 'UNSUPPORTED_PIXEL_FORMAT'
  /** The requested frame index does not exist. */
  | 'FRAME_OUT_OF_RANGE'
  /** The file could not be read from disk. */
  | 'IO_ERROR';

/**
 * The one error type of packages/dicom. `message` says what was wrong and what to do;
 * `code` is for programs (quarantine reasons, CLI exit reporting, audit).
 */
export class DicomError extends Error {
  override readonly name = 'DicomError';
  readonly code: DicomErrorCode;
  /** The file the error is about, when known. */
  readonly file: string | undefined;

  constructor(code: DicomErrorCode, message: string, options: { cause?: unknown; file?: string } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.code = code;
    this.file = options.file;
  }
}

/** True when `err` is a DicomError (also across duplicated module instances). */
export function isDicomError(err: unknown): err is DicomError {
  return err instanceof DicomError || (err instanceof Error && err.name === 'DicomError' && 'code' in err);
}

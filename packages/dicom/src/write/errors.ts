/** What went wrong while writing a DICOM file, as a stable machine-readable code. */
export type DicomWriteErrorCode =
  /** A value does not fit its VR (too long, wrong characters, wrong type, out of range). */
  | 'INVALID_VALUE'
  /** The data set lacks an attribute the file needs (SOP Class/Instance UID, Rows, …) or repeats one. */
  | 'INVALID_DATASET'
  /** The requested transfer syntax is not one the writer can produce. */
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  /** The pixel data does not match Rows × Columns × Samples × Frames, or its layout cannot be encoded. */
  | 'INVALID_PIXEL_DATA'
  /** A JPEG-LS / JPEG 2000 write was asked for before `loadPixelEncoders()` finished. */
  | 'ENCODER_NOT_LOADED';

/** The error type of the DICOM writer; `message` says what was wrong and what to do. */
export class DicomWriteError extends Error {
  override readonly name = 'DicomWriteError';
  readonly code: DicomWriteErrorCode;

  constructor(code: DicomWriteErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}

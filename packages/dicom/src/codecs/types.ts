/**
 * The contract between the pixel pipeline and the codecs: a codec turns one encoded
 * frame (the concatenated fragments of that frame) into samples.
 */

/** The image pixel module attributes a codec needs to decode one frame. */
export interface FrameInfo {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement, as declared in the header. */
  pixelRepresentation: 0 | 1;
  /** As declared in the header, e.g. MONOCHROME2, RGB, YBR_FULL_422, YBR_ICT, PALETTE COLOR. */
  photometricInterpretation: string;
  /** 0 interleaved (R1G1B1R2…), 1 planar (RRR…GGG…BBB…), as declared. */
  planarConfiguration: 0 | 1;
}

export type SampleArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** One decoded frame, rows × columns × samplesPerPixel samples. */
export interface DecodedFrame {
  pixels: SampleArray;
  /**
   * Whether the codec produced two's-complement values. JPEG 2000 and JPEG-LS streams carry
   * their own signedness, which can disagree with PixelRepresentation; the pipeline uses this.
   */
  signed: boolean;
  /** Bit depth the codec says it decoded (the stream's precision), when it says one. */
  bitsPerSample?: number;
  /**
   * Photometric interpretation of `pixels` after decoding: a JPEG baseline codec that converts
   * YCbCr to RGB reports 'RGB' here, so the pipeline does not convert twice.
   */
  photometricInterpretation: string;
  /** Layout of `pixels`: codecs return interleaved samples (0) unless they say otherwise. */
  planarConfiguration: 0 | 1;
}

/** Decodes one frame of one transfer syntax. Throws DicomError('CORRUPT_PIXEL_DATA') on bad input. */
export type FrameDecoder = (encoded: Uint8Array, info: FrameInfo) => Promise<DecodedFrame>;

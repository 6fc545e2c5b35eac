import type { DataSet } from 'dicom-parser';
import { type DicomInfo, type PixelStage, frameTransform, TAG } from './attributes.js';
import { decodeFrame, isEncapsulatedSyntax } from './codecs/index.js';
import type { FrameInfo, SampleArray } from './codecs/types.js';
import { DicomError } from './errors.js';
import { encapsulatedFrame } from './frames.js';
import { type IntSamples, storedValues } from './pixel/bits.js';
import { grayscaleDisplay, type VoiTransform } from './pixel/grayscaleDisplay.js';
import { planarToInterleaved, ybrFullToRgb } from './pixel/color.js';
import { type Lut, modalityLut, voiLut, voiLutCount } from './pixel/lut.js';
import { modalityValues } from './pixel/modalityLut.js';
import { nativeFrame } from './pixel/nativeFrame.js';
import { paddingMask } from './pixel/padding.js';
import { applyPalette, type Palette, readPalette } from './pixel/palette.js';
import { voiFunction } from './pixel/voiLut.js';
import { ENCAPSULATED_UNCOMPRESSED, EXPLICIT_VR_BIG_ENDIAN } from './uids.js';

/** Stored values of one frame, interleaved, with what they are. */
interface StoredFrame {
  index: number;
  /** [rows*columns*samples] integers. */
  values: IntSamples;
  /** Effective bits of the values (Bits Stored, or the codec's precision when it is larger). */
  bits: number;
  signed: boolean;
  /** Colour space of `values`: YBR_FULL_422 is already expanded to YBR_FULL. */
  photometric: string;
}

/** One frame's samples before masking, interleaved, with how to read them. */
interface RawFrame {
  samples: SampleArray;
  bits: number;
  highBit: number;
  signed: boolean;
  photometric: string;
}

/**
 * Colour spaces converted with the YBR_FULL equations. YBR_ICT is the same transform; JPEG 2000
 * codecs undo it (and YBR_RCT) while decoding and report RGB, so it only arrives here unconverted.
 */
const YBR_FULL_LIKE = new Set(['YBR_FULL', 'YBR_FULL_422', 'YBR_ICT']);
const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2']);

/**
 * An image (single- or multi-frame) and its pixel pipeline (PS3.4 N.2):
 * stored values → modality LUT → VOI LUT → presentation. Decoding happens per frame, on demand.
 */
export class DicomImage {
  readonly info: DicomInfo;
  private readonly dataSet: DataSet;
  private readonly headerOnly: boolean;
  private cached: StoredFrame | undefined;
  private palette: Palette | undefined;
  private modality: Lut | null | undefined;

  constructor(info: DicomInfo, dataSet: DataSet, options: { headerOnly?: boolean } = {}) {
    this.info = info;
    this.dataSet = dataSet;
    this.headerOnly = options.headerOnly ?? false;
  }

  /** Samples per pixel of `frame(…, stage)`: 3 for PALETTE COLOR past 'stored', else SamplesPerPixel. */
  samplesAt(stage: PixelStage): number {
    return stage !== 'stored' && this.info.photometricInterpretation === 'PALETTE COLOR' ? 3 : this.info.samplesPerPixel;
  }

  /**
   * Samples of one frame at a stage, row-major, interleaved:
   * Float32Array [rows*columns*samplesAt(stage)].
   * - stored: after BitsStored/HighBit masking and sign extension (PixelRepresentation, or the
   *   codec's signedness); colour as stored (YBR stays YBR; YBR_FULL_422 expanded), palette indices.
   * - modality: grayscale after the modality LUT (LUT sequence, else rescale; per-frame functional
   *   groups first); RGB for colour (YBR converted, palette looked up), no rescale.
   * - display: [0, 1]. Grayscale after VOI (VOI LUT sequence item `voiIndex`, else window
   *   `voiIndex` with its VOI LUT Function, else the frame's min..max of non-padding modality
   *   values), inverted for MONOCHROME1 or Presentation LUT Shape INVERSE; padding pixels 0.
   *   Colour: RGB / (2^bits − 1) (palette: 2^LUT bits − 1).
   * Padding pixels keep their values in 'stored' and 'modality'; see paddingMask().
   */
  async frame(index: number, stage: PixelStage, options: { voiIndex?: number } = {}): Promise<Float32Array> {
    const stored = await this.stored(index);
    const { rows, columns } = this.info;
    const pixels = rows * columns;
    if (stage === 'stored') return new Float32Array(stored.values);
    const photometric = stored.photometric;
    if (photometric === 'PALETTE COLOR') {
      const palette = this.readPaletteOnce();
      const out = new Float32Array(pixels * 3);
      applyPalette(stored.values, palette, out);
      if (stage === 'display') scaleInPlace(out, 1 / (2 ** palette.red.bits - 1));
      return out;
    }
    if (!MONOCHROME.has(photometric)) return this.colour(stored, stage);

    const transform = frameTransform(this.dataSet, index);
    const lut = this.modalityLutOnce();
    if (stage === 'modality') {
      return modalityValues(stored.values, lut, transform.rescaleSlope ?? 1, transform.rescaleIntercept ?? 0);
    }
    const { pixelPaddingValue: pad, pixelPaddingRangeLimit: limit } = this.info;
    return grayscaleDisplay(
      stored.values,
      {
        modalityLut: lut,
        slope: transform.rescaleSlope ?? 1,
        intercept: transform.rescaleIntercept ?? 0,
        voi: this.voiOf(index, options.voiIndex ?? 0, transform),
        invert: photometric === 'MONOCHROME1' || this.info.presentationLutShape === 'INVERSE',
        padding: pad === undefined ? undefined : { lo: Math.min(pad, limit ?? pad), hi: Math.max(pad, limit ?? pad) },
        bits: stored.bits,
        signed: stored.signed,
      },
      this.info.file,
    );
  }

  /** Boolean mask (1 = padding) of frame `index`, from Pixel Padding Value / Range Limit; undefined if none. */
  async paddingMask(index: number): Promise<Uint8Array | undefined> {
    return this.paddingOf(await this.stored(index)) ?? undefined;
  }

  private paddingOf(stored: StoredFrame): Uint8Array | null {
    const { pixelPaddingValue, pixelPaddingRangeLimit, samplesPerPixel } = this.info;
    if (pixelPaddingValue === undefined || samplesPerPixel !== 1) return null;
    return paddingMask(stored.values, pixelPaddingValue, pixelPaddingRangeLimit);
  }

  private colour(stored: StoredFrame, stage: PixelStage): Float32Array {
    const photometric = stored.photometric;
    const out = new Float32Array(stored.values.length);
    if (YBR_FULL_LIKE.has(photometric)) {
      ybrFullToRgb(stored.values, stored.bits, out);
    } else if (photometric === 'RGB') {
      out.set(stored.values);
    } else {
      throw new DicomError(
        'UNSUPPORTED_PIXEL_FORMAT',
        `Photometric Interpretation ${photometric} cannot be converted to RGB here; decompress or convert the file with \`gdcmconv --raw\` first`,
        { file: this.info.file },
      );
    }
    if (stage === 'display') scaleInPlace(out, 1 / (2 ** stored.bits - 1));
    return out;
  }

  private voiOf(
    index: number,
    voiIndex: number,
    transform: ReturnType<typeof frameTransform>,
  ): VoiTransform {
    const file = this.info.file;
    const luts = voiLutCount(this.dataSet);
    const outOfRange = (count: number): never => {
      throw new DicomError('INVALID_ATTRIBUTE', `voiIndex ${voiIndex} is out of range: frame ${index} has ${count} VOI transform(s)`, { file });
    };
    if (luts > 0) {
      if (voiIndex < 0 || voiIndex >= luts) outOfRange(luts);
      const modalitySigned = this.info.pixelRepresentation === 1 || (transform.rescaleIntercept ?? 0) < 0;
      return { kind: 'lut', lut: voiLut(this.dataSet, voiIndex, modalitySigned, file) };
    }
    const windows = Math.min(transform.windowCenter.length, transform.windowWidth.length);
    if (windows > 0) {
      if (voiIndex < 0 || voiIndex >= windows) outOfRange(windows);
      const fn = voiFunction(transform.voiLutFunction, file);
      const width = transform.windowWidth[voiIndex]!;
      // Writers put Window Width 0 to mean 'no window'; such a window falls back to the range.
      if (fn === 'LINEAR' ? width >= 1 : width > 0) return { kind: 'window', center: transform.windowCenter[voiIndex]!, width, fn };
    }
    return { kind: 'range' };
  }

  private readPaletteOnce(): Palette {
    this.palette ??= readPalette(this.dataSet, this.info.pixelRepresentation === 1, this.info.file);
    return this.palette;
  }

  private modalityLutOnce(): Lut | undefined {
    if (this.modality === undefined) this.modality = modalityLut(this.dataSet, this.info.pixelRepresentation === 1, this.info.file) ?? null;
    return this.modality ?? undefined;
  }

  /** Stored values of frame `index`, the last one cached (frame() then paddingMask() decode once). */
  private async stored(index: number): Promise<StoredFrame> {
    const { info } = this;
    if (this.headerOnly) {
      throw new DicomError('NO_PIXEL_DATA', 'this image was parsed with headerOnly: true; parse it again without headerOnly to read pixels', { file: info.file });
    }
    if (!Number.isInteger(index) || index < 0 || index >= info.numberOfFrames) {
      throw new DicomError('FRAME_OUT_OF_RANGE', `frame ${index} does not exist: the image has ${info.numberOfFrames} frame(s), numbered 0..${info.numberOfFrames - 1}`, { file: info.file });
    }
    if (this.cached?.index === index) return this.cached;
    let raw: RawFrame;
    try {
      raw = isEncapsulatedSyntax(info.transferSyntaxUID) ? await this.decoded(index) : this.native(index, info.transferSyntaxUID === ENCAPSULATED_UNCOMPRESSED);
    } catch (err) {
      // Fragment and codec errors do not know the file: name it.
      if (err instanceof DicomError && err.file === undefined && info.file) throw new DicomError(err.code, err.message, { cause: err, file: info.file });
      throw err;
    }
    const values = storedValues(raw.samples, raw.bits, raw.highBit, raw.signed);
    this.cached = { index, values, bits: raw.bits, signed: raw.signed, photometric: raw.photometric };
    return this.cached;
  }

  /** Native pixel data, or with `encapsulated` one fragment-wrapped native frame (syntax 1.2.1.98). */
  private native(index: number, encapsulated: boolean): RawFrame {
    const { info, dataSet } = this;
    const el = dataSet.elements[TAG.pixelData]!;
    if (!encapsulated && (el.encapsulatedPixelData || el.hadUndefinedLength)) {
      throw new DicomError('CORRUPT_PIXEL_DATA', `Pixel Data is encapsulated but the transfer syntax ${info.transferSyntaxUID} is native; the File Meta Transfer Syntax UID is wrong`, { file: info.file });
    }
    const bytes = encapsulated
      ? encapsulatedFrame(dataSet.byteArray, dataSet, index, info.numberOfFrames)
      : dataSet.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
    let samples = nativeFrame(
      bytes,
      { ...info, littleEndian: info.transferSyntaxUID !== EXPLICIT_VR_BIG_ENDIAN },
      encapsulated ? 0 : index,
      info.file,
    );
    if (info.planarConfiguration === 1 && info.samplesPerPixel > 1) samples = planarToInterleaved(samples, info.samplesPerPixel);
    const photometric = info.photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : info.photometricInterpretation;
    return { samples, bits: info.bitsStored, highBit: info.highBit, signed: info.pixelRepresentation === 1, photometric };
  }

  private async decoded(index: number): Promise<RawFrame> {
    const { info, dataSet } = this;
    const encoded = encapsulatedFrame(dataSet.byteArray, dataSet, index, info.numberOfFrames);
    const frameInfo: FrameInfo = {
      rows: info.rows,
      columns: info.columns,
      samplesPerPixel: info.samplesPerPixel,
      bitsAllocated: info.bitsAllocated,
      bitsStored: info.bitsStored,
      highBit: info.highBit,
      pixelRepresentation: info.pixelRepresentation,
      photometricInterpretation: info.photometricInterpretation,
      planarConfiguration: info.planarConfiguration,
    };
    const frame = await decodeFrame(info.transferSyntaxUID, encoded, frameInfo);
    let samples = frame.pixels;
    if (frame.planarConfiguration === 1 && info.samplesPerPixel > 1) samples = planarToInterleaved(samples, info.samplesPerPixel);
    const bits = Math.max(info.bitsStored, Math.min(frame.bitsPerSample ?? 0, info.bitsAllocated));
    const photometric = frame.photometricInterpretation === 'YBR_FULL_422' ? 'YBR_FULL' : frame.photometricInterpretation;
    // Codecs return right-aligned samples: the high bit is bits − 1 whatever High Bit says.
    return { samples, bits, highBit: bits - 1, signed: frame.signed || info.pixelRepresentation === 1, photometric };
  }
}

function scaleInPlace(a: Float32Array | Float64Array, k: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! * k;
}

/**
 * One DICOM frame → one training input: grey values at the right pipeline stage, per-modality
 * normalisation, aspect-preserving resize and centred pad into a Float32 [size, size, 1].
 */
import type { DicomInfo, PixelStage } from '../attributes.js';
import { DicomError } from '../errors.js';
import {
  applyWindow,
  DEFAULT_POLICY,
  invert,
  luminance,
  type Normalisation,
  type NormalisationPolicy,
  normalisationFor,
  scaleToUnit,
  zScore,
} from './normalise.js';
import { resizeAndPad } from './resize.js';
import { type RobustStats, robustStats } from './stats.js';

/** What the tensor code needs of a decoded image; `DicomImage` is one. */
export interface FrameSource {
  readonly info: DicomInfo;
  /** [rows · columns · samplesPerPixel] values of one frame at one pipeline stage. */
  frame(index: number, stage: PixelStage, options?: { voiIndex?: number }): Promise<Float32Array>;
  /** [rows · columns], non-zero where the pixel is padding (PixelPaddingValue); undefined when none. */
  paddingMask(index: number): Promise<Uint8Array | undefined>;
}

export interface TensorOptions {
  /** Side of the square output. */
  size: number;
  /** Per-modality policy or one normalisation for every image; default DEFAULT_POLICY. */
  normalisation?: NormalisationPolicy | Normalisation;
  /**
   * Statistics of the frame's series (seriesStats.ts) for `percentile` and `zscore`; without
   * them those use the frame's own statistics.
   */
  seriesStats?: RobustStats | undefined;
  /** Value of letterbox pixels and of padding pixels, default 0 (black after [0, 1] scaling). */
  padValue?: number;
}

/**
 * Whether a `modality`-stage image shows low values as white, so normalised outputs must be
 * flipped to match the `display` convention (high = bright): MONOCHROME1, or a Presentation
 * LUT Shape of INVERSE on MONOCHROME2 (on MONOCHROME1 it restates the inversion, PS3.3 C.8.11.6).
 */
export function isInverted(info: Pick<DicomInfo, 'photometricInterpretation' | 'presentationLutShape'>): boolean {
  const pi = info.photometricInterpretation.trim().toUpperCase();
  if (pi === 'MONOCHROME1') return true;
  return pi === 'MONOCHROME2' && info.presentationLutShape?.trim().toUpperCase() === 'INVERSE';
}

/**
 * Grey values of one frame at the stage a normalisation works on: `display` for VOI, else
 * `modality` (HU for CT). Colour frames become BT.601 luma.
 * @returns values [rows · columns] and the padding mask [rows · columns] if any.
 */
export async function greyFrame(src: FrameSource, frame: number, normalisation: Normalisation): Promise<{ values: Float32Array; mask: Uint8Array | undefined }> {
  const { rows, columns } = src.info;
  // Palette colour frames come out of the pipeline as RGB.
  const samplesPerPixel = src.info.photometricInterpretation === 'PALETTE COLOR' ? 3 : src.info.samplesPerPixel;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new DicomError('UNSUPPORTED_PIXEL_FORMAT', `${samplesPerPixel} samples per pixel cannot be turned into a grey image; only 1 (grey) and 3 (colour) are supported`, { file: src.info.file });
  }
  const stage: PixelStage = normalisation.kind === 'voi' ? 'display' : 'modality';
  const raw = await src.frame(frame, stage, normalisation.kind === 'voi' && normalisation.voiIndex !== undefined ? { voiIndex: normalisation.voiIndex } : undefined);
  const values = samplesPerPixel === 3 ? luminance(raw) : raw;
  if (values.length !== rows * columns) {
    throw new DicomError('CORRUPT_PIXEL_DATA', `frame ${frame} has ${values.length} values, expected ${rows}×${columns}`, { file: src.info.file });
  }
  const mask = await src.paddingMask(frame);
  return { values, mask };
}

/**
 * Normalises grey values [n] per `normalisation`; padding (mask ≠ 0) becomes padValue.
 * @returns [n] in [0, 1] (voi, percentile, window) or in [−clip, clip] (zscore).
 */
export function normaliseGrey(
  values: Float32Array,
  mask: Uint8Array | undefined,
  normalisation: Normalisation,
  info: Pick<DicomInfo, 'photometricInterpretation' | 'presentationLutShape'>,
  seriesStats?: RobustStats,
  padValue = 0,
): Float32Array {
  let out: Float32Array;
  switch (normalisation.kind) {
    case 'voi':
      // The display stage has already applied VOI and polarity.
      return scaleToUnit(values, 0, 1, mask, padValue);
    case 'window':
      out = applyWindow(values, normalisation.center, normalisation.width, mask, padValue);
      break;
    case 'percentile': {
      const low = normalisation.lowPercentile ?? 0.5;
      const high = normalisation.highPercentile ?? 99.5;
      const usable = seriesStats && seriesStats.lowPercentile === low && seriesStats.highPercentile === high;
      const stats = usable ? seriesStats : robustStats([{ values, mask }], { lowPercentile: low, highPercentile: high });
      out = stats ? scaleToUnit(values, stats.low, stats.high, mask, padValue) : new Float32Array(values.length).fill(padValue);
      break;
    }
    case 'zscore': {
      const stats = seriesStats ?? robustStats([{ values, mask }]);
      out = stats ? zScore(values, stats, normalisation.clip ?? 5, mask, padValue) : new Float32Array(values.length).fill(padValue);
      break;
    }
  }
  return isInverted(info) ? invert(out, normalisation.kind, mask) : out;
}

/**
 * One frame as a training input.
 * @returns [size, size, 1] row-major Float32: the normalised frame fitted inside the square,
 *   aspect preserved (area-averaged when shrinking, bilinear when enlarging), centred, the
 *   rest padValue.
 */
export async function frameToTensor(src: FrameSource, frame: number, options: TensorOptions): Promise<Float32Array> {
  const normalisation = normalisationFor(options.normalisation ?? DEFAULT_POLICY, src.info.modality);
  const padValue = options.padValue ?? 0;
  const { values, mask } = await greyFrame(src, frame, normalisation);
  const normalised = normaliseGrey(values, mask, normalisation, src.info, options.seriesStats, padValue);
  return resizeAndPad(normalised, src.info.rows, src.info.columns, options.size, padValue).data;
}

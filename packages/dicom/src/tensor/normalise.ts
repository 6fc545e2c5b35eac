/**
 * Intensity normalisation of one grey-level frame into the range the encoder is trained on.
 * Pure functions over [n] Float32 arrays; padding pixels (mask ≠ 0) are set to `padValue`
 * and never enter any statistic.
 */
import type { RobustStats } from './stats.js';

/** How one modality's frames are normalised. */
export type Normalisation =
  /** The file's own VOI (window / VOI LUT, `display` stage), already in [0, 1]. */
  | { kind: 'voi'; voiIndex?: number }
  /**
   * Clip to percentiles and scale to [0, 1]. Percentiles of the series when series stats are
   * given (MR), otherwise of the image itself (CR/DX).
   */
  | { kind: 'percentile'; lowPercentile?: number; highPercentile?: number }
  /** (v − mean) / std of the series (or of the image when no series stats), clipped to ±clip (default 5). */
  | { kind: 'zscore'; clip?: number }
  /** A fixed window on modality values (Hounsfield units for CT) scaled to [0, 1]. */
  | { kind: 'window'; center: number; width: number };

/** CT windows (centre, width in HU) in common radiological use. */
export const CT_WINDOWS = {
  lung: { center: -600, width: 1500 },
  mediastinal: { center: 40, width: 400 },
  brain: { center: 40, width: 80 },
  bone: { center: 400, width: 1800 },
} as const;

export type CtWindowName = keyof typeof CT_WINDOWS;

/** A window preset as a Normalisation. */
export function ctWindow(name: CtWindowName): Normalisation {
  return { kind: 'window', ...CT_WINDOWS[name] };
}

/** Which normalisation each modality gets; `fallback` for modalities not listed. */
export interface NormalisationPolicy {
  byModality: Partial<Record<string, Normalisation>>;
  fallback: Normalisation;
}

/**
 * Defaults: radiographs (CR, DX) use the window their producer chose; MR, whose values have
 * no physical scale, uses the series' 0.5–99.5 percentiles; CT uses the mediastinal
 * (soft-tissue) window in HU; anything else clips its own 0.5–99.5 percentiles.
 */
export const DEFAULT_POLICY: NormalisationPolicy = {
  byModality: {
    CR: { kind: 'voi' },
    DX: { kind: 'voi' },
    MR: { kind: 'percentile' },
    CT: ctWindow('mediastinal'),
  },
  fallback: { kind: 'percentile' },
};

/** The normalisation a modality gets under a policy (or a single normalisation for all). */
export function normalisationFor(policy: NormalisationPolicy | Normalisation, modality: string | undefined): Normalisation {
  if ('kind' in policy) return policy;
  return (modality !== undefined ? policy.byModality[modality.toUpperCase()] : undefined) ?? policy.fallback;
}

/**
 * Linear map of [lo, hi] onto [0, 1], clipped; values equal to or below lo give 0.
 * A degenerate range (hi ≤ lo) maps everything above lo to 1 and the rest to 0.
 * @param values [n]; @param mask [n] or undefined. @returns [n] new array.
 */
export function scaleToUnit(values: Float32Array, lo: number, hi: number, mask?: Uint8Array, padValue = 0): Float32Array {
  const n = values.length;
  const out = new Float32Array(n);
  const span = hi - lo;
  if (span > 0) {
    const inv = 1 / span;
    for (let i = 0; i < n; i++) {
      const x = (values[i]! - lo) * inv;
      out[i] = x < 0 ? 0 : x > 1 ? 1 : x;
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = values[i]! > lo ? 1 : 0;
  }
  if (mask) for (let i = 0; i < n; i++) if (mask[i]) out[i] = padValue;
  return out;
}

/**
 * Window (centre c, width w) on modality values → [0, 1]: c − w/2 maps to 0, c + w/2 to 1.
 * @param values [n] @returns [n]
 */
export function applyWindow(values: Float32Array, center: number, width: number, mask?: Uint8Array, padValue = 0): Float32Array {
  if (!(width > 0)) throw new RangeError(`window width must be > 0, got ${width}`);
  return scaleToUnit(values, center - width / 2, center + width / 2, mask, padValue);
}

/**
 * Z-score with clipping: (v − mean) / std, limited to [−clip, clip]. std ≤ 0 (a flat image)
 * gives 0 everywhere rather than dividing by zero.
 * @param values [n] @returns [n]
 */
export function zScore(values: Float32Array, stats: Pick<RobustStats, 'mean' | 'std'>, clip = 5, mask?: Uint8Array, padValue = 0): Float32Array {
  const out = new Float32Array(values.length);
  const inv = stats.std > 0 ? 1 / stats.std : 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = mask && mask[i] ? padValue : Math.min(clip, Math.max(-clip, (values[i]! - stats.mean) * inv));
  }
  return out;
}

/**
 * Luma of interleaved RGB samples, ITU-R BT.601 weights (0.299, 0.587, 0.114) — the weights
 * of PIL's `convert('L')` and of most radiology viewers for secondary-capture colour images.
 * @param rgb [n · 3] interleaved R, G, B. @returns [n]
 */
export function luminance(rgb: Float32Array): Float32Array {
  if (rgb.length % 3 !== 0) throw new RangeError(`RGB data length ${rgb.length} is not a multiple of 3`);
  const n = rgb.length / 3;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!;
  return out;
}

/** Reverses polarity of normalised values: 1 − v for [0, 1] outputs, −v for z-scores; padding stays. */
export function invert(values: Float32Array, kind: Normalisation['kind'], mask?: Uint8Array): Float32Array {
  for (let i = 0; i < values.length; i++) {
    if (mask && mask[i]) continue;
    values[i] = kind === 'zscore' ? -values[i]! : 1 - values[i]!;
  }
  return values;
}

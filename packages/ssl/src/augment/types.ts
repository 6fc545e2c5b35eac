import type { FillMode } from './affineResample.js';

/** A [lo, hi] range a per-sample parameter is drawn from uniformly. */
export type Range = [number, number];

/**
 * Augmentation settings (all optional; an absent op is off). `p` is the per-sample probability
 * that the op is applied; otherwise that sample gets the op's identity parameter.
 * Images are expected as float [N,H,W,C] after the packages/dicom pixel pipeline.
 */
export interface AugmentConfig {
  /** Output side in pixels (default: input height). */
  outputSize?: number;
  /** Random resized crop (always applied when present): area fraction and aspect ratio w/h ranges. */
  crop?: { scale: Range; ratio: Range };
  /** Rotation by U(−degrees, degrees). */
  rotate?: { p: number; degrees: number; fill?: FillMode };
  /** Horizontal flip; keep p = 0 for chest radiographs (lateralised anatomy). */
  flip?: { p: number };
  /** Additive shift U(−delta, delta), in image units. */
  brightness?: { p: number; delta: number };
  /** Contrast factor around the image mean, U(range). */
  contrast?: { p: number; range: Range };
  /** Gamma on the image's own range, U(range). */
  gamma?: { p: number; range: Range };
  /** Gaussian blur σ in pixels, U(sigma). */
  blur?: { p: number; sigma: Range };
  /** Additive Gaussian noise standard deviation, U(std), in image units. */
  noise?: { p: number; std: Range };
}

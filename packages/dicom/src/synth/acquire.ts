import type { Rng } from './prng.js';
import type { MrProfile, XrayProfile } from './siteProfiles.js';
import { SmoothNoise } from './smoothNoise.js';

/** Stored pixel values of one image and the display window the "scanner" chose for it. */
export interface Acquired {
  /** size × size stored values, in [0, 2^bitsStored) or the signed range. */
  stored: Uint16Array | Int16Array;
  /** In modality units (after the rescale), as DICOM wants it. */
  windowCenter: number;
  windowWidth: number;
}

/**
 * Percentiles of integer stored values by counting (O(n), the images are large and the values
 * few): the smallest value v with at least p·n values ≤ v, for each p, ignoring values < `floor`.
 */
export function integerPercentiles(values: ArrayLike<number>, ps: readonly number[], floor = -Infinity): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < floor) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return ps.map(() => 0);
  const counts = new Uint32Array(max - min + 1);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v >= floor) {
      counts[v - min]!++;
      n++;
    }
  }
  return ps.map((p) => {
    const target = Math.max(1, Math.ceil(p * n));
    let seen = 0;
    for (let k = 0; k < counts.length; k++) {
      seen += counts[k]!;
      if (seen >= target) return k + min;
    }
    return max;
  });
}

/**
 * An X-ray detector: quantum noise growing with brightness, a faint per-row detector pattern,
 * the site's gain into `bitsStored` bits, MONOCHROME1 inversion (bright bone = low values) and
 * the rescale (stored = (modality − intercept) / slope, kept integral by construction).
 * @param brightness size × size phantom values (about [0, 1]).
 */
export function acquireXray(brightness: Float32Array, size: number, profile: XrayProfile, rng: Rng): Acquired {
  const max = 2 ** profile.bitsStored - 1;
  const stored = new Uint16Array(brightness.length);
  const rowPattern = Float32Array.from({ length: size }, () => rng.fastNormal() * profile.noise * 0.3);
  const offset = 0.04 * max;
  for (let i = 0; i < brightness.length; i++) {
    const b = brightness[i]!;
    const noisy = b + profile.noise * Math.sqrt(0.2 + Math.max(b, 0)) * rng.fastNormal() + rowPattern[Math.floor(i / size)]!;
    const value = Math.round(offset + noisy * profile.gain * max);
    const clipped = Math.min(max, Math.max(0, value));
    stored[i] = profile.photometric === 'MONOCHROME1' ? max - clipped : clipped;
  }
  const [lo, hi] = integerPercentiles(stored, [0.01, 0.99]) as [number, number];
  const width = Math.max(2, (hi - lo) * profile.windowScale);
  const centre = (lo + hi) / 2;
  return {
    stored,
    windowCenter: centre * profile.rescaleSlope + profile.rescaleIntercept,
    windowWidth: width * profile.rescaleSlope,
  };
}

/**
 * An MR receiver: smooth multiplicative bias field, Rician magnitude noise
 * (|signal + σ(n₁ + i n₂)|), scaling so white matter sits at `profile.scale`.
 */
export function acquireMr(signal: Float32Array, size: number, profile: MrProfile, rng: Rng): Acquired {
  const max = profile.pixelRepresentation === 1 ? 2 ** (profile.bitsStored - 1) - 1 : 2 ** profile.bitsStored - 1;
  const stored = profile.pixelRepresentation === 1 ? new Int16Array(signal.length) : new Uint16Array(signal.length);
  const bias = new SmoothNoise(rng, 2);
  const tilt = rng.uniform(-1, 1);
  const sigma = profile.noise * 0.62;
  const k = profile.scale / 0.62;
  for (let y = 0; y < size; y++) {
    const v = (2 * (y + 0.5)) / size - 1;
    for (let x = 0; x < size; x++) {
      const u = (2 * (x + 0.5)) / size - 1;
      const i = y * size + x;
      const field = 1 + profile.bias * (0.6 * bias.at(u, v) + 0.4 * tilt * u);
      const s = signal[i]! * field;
      const re = s + sigma * rng.fastNormal();
      const im = sigma * rng.fastNormal();
      stored[i] = Math.min(max, Math.round(k * Math.sqrt(re * re + im * im)));
    }
  }
  const [lo, hi] = integerPercentiles(stored, [0.01, 0.995], Math.round(0.2 * profile.scale)) as [number, number];
  return { stored, windowCenter: Math.round((lo + hi) / 2), windowWidth: Math.max(2, Math.round(hi - lo)) };
}

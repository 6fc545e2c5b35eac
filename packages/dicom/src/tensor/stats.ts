/**
 * Robust intensity statistics of an image or a series, ignoring padding pixels: the
 * percentiles used for percentile clipping and the mean / standard deviation used for
 * z-scoring. Percentiles interpolate linearly between order statistics (numpy's default
 * `linear` method: rank p/100 · (n − 1)).
 */

/** Statistics of the non-padding values of one image or of a sample of a series' frames. */
export interface RobustStats {
  /** How many values the statistics were computed from (after subsampling). */
  count: number;
  mean: number;
  std: number;
  /** The lower and upper percentile ranks these were computed at, e.g. 0.5 and 99.5. */
  lowPercentile: number;
  highPercentile: number;
  /** Values at lowPercentile and highPercentile. */
  low: number;
  high: number;
}

export interface StatsOptions {
  /** Lower percentile rank in [0, 100], default 0.5. */
  lowPercentile?: number;
  /** Upper percentile rank in [0, 100], default 99.5. */
  highPercentile?: number;
  /** At most this many values are kept (evenly strided), default 2^20; bounds memory and time. */
  maxValues?: number;
}

/** One frame's values with an optional padding mask (non-zero = padding, excluded). */
export interface MaskedValues {
  values: Float32Array;
  mask?: Uint8Array | undefined;
}

/** Value at percentile rank p (0–100) of ascending-sorted values. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of an empty set');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile rank must be in [0, 100], got ${p}`);
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const t = rank - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * t;
}

/**
 * Robust statistics over the non-padding values of one or more frames.
 * Frames contribute in proportion to their number of values; when the total exceeds
 * maxValues every frame is subsampled with the same stride.
 * Returns undefined when every value is padding (or there are no values).
 */
export function robustStats(frames: readonly MaskedValues[], options: StatsOptions = {}): RobustStats | undefined {
  const lowPercentile = options.lowPercentile ?? 0.5;
  const highPercentile = options.highPercentile ?? 99.5;
  if (!(lowPercentile >= 0 && lowPercentile < highPercentile && highPercentile <= 100)) {
    throw new RangeError(`percentile ranks must satisfy 0 ≤ low < high ≤ 100, got ${lowPercentile} and ${highPercentile}`);
  }
  const maxValues = options.maxValues ?? 1 << 20;
  const total = frames.reduce((s, f) => s + f.values.length, 0);
  const stride = Math.max(1, Math.ceil(total / maxValues));
  const kept = new Float32Array(Math.ceil(total / stride) + frames.length);
  let n = 0;
  let sum = 0;
  for (const { values, mask } of frames) {
    for (let i = 0; i < values.length; i += stride) {
      if (mask && mask[i]) continue;
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      kept[n++] = v;
      sum += v;
    }
  }
  if (n === 0) return undefined;
  const sample = kept.subarray(0, n).sort();
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sample[i]! - mean) ** 2;
  return {
    count: n,
    mean,
    std: Math.sqrt(ss / n),
    lowPercentile,
    highPercentile,
    low: percentileOfSorted(sample, lowPercentile),
    high: percentileOfSorted(sample, highPercentile),
  };
}

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
  const total = frames.reduce((sum, f) => sum + f.values.length, 0);
  const stride = Math.max(1, Math.ceil(total / maxValues));
  // A single unmasked, unstrided frame is read in place when all its values are finite
  // (percentilesInRange does not modify its input): one pass fewer and no copy.
  const inPlace = frames.length === 1 && stride === 1 && frames[0]!.mask === undefined;
  let kept: Float32Array | undefined = inPlace ? undefined : new Float32Array(Math.ceil(total / stride) + frames.length);
  let acc = accumulate(frames, stride, kept);
  if (inPlace && acc.n !== total) {
    kept = new Float32Array(total);
    acc = accumulate(frames, stride, kept);
  }
  const { n, shift, s1, s2, min, max } = acc;
  if (n === 0) return undefined;
  const m1 = s1 / n;
  const values = kept ? kept.subarray(0, n) : frames[0]!.values;
  const [low, high] = percentilesInRange(values, min, max, [lowPercentile, highPercentile]);
  return { count: n, mean: shift + m1, std: Math.sqrt(Math.max(0, s2 / n - m1 * m1)), lowPercentile, highPercentile, low: low!, high: high! };
}

/**
 * One pass over the usable values (not padding, finite, every `stride`-th): count, min, max
 * and moments shifted by the first value (so the variance keeps its precision under a large
 * mean); copies them into `out` when given.
 */
function accumulate(frames: readonly MaskedValues[], stride: number, out: Float32Array | undefined) {
  let n = 0;
  let shift = NaN;
  let s1 = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const { values, mask } of frames) {
    const len = values.length;
    for (let i = 0; i < len; i += stride) {
      if (mask !== undefined && mask[i] !== 0) continue;
      const v = values[i]!;
      if (!(v > -Infinity && v < Infinity)) continue;
      if (n === 0) shift = v;
      if (out !== undefined) out[n] = v;
      n++;
      const d = v - shift;
      s1 += d;
      s2 += d * d;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return { n, shift, s1, s2, min, max };
}

const BINS = 4096;

/**
 * Values at percentile ranks (0–100) of `a`, as percentileOfSorted would give after sorting,
 * in O(n): a histogram over [min, max] finds the bin of each needed order statistic, and only
 * those bins' values are gathered and selected in. `a` is not modified.
 */
export function percentiles(a: Float32Array, ranks: readonly number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return percentilesInRange(a, min, max, ranks);
}

/** percentiles() of values known to lie in [min, max]. */
function percentilesInRange(a: Float32Array, min: number, max: number, ranks: readonly number[]): number[] {
  const n = a.length;
  if (n === 0) throw new RangeError('percentile of an empty set');
  if (min === max) return ranks.map(() => min);
  const scale = BINS / (max - min);
  const last = BINS - 1;
  // Counts and per-bin extremes in one pass: a bin holding a single distinct value (the usual
  // case for integer pixel data) answers an order statistic without gathering its values.
  const counts = new Int32Array(BINS);
  const binLow = new Float64Array(BINS).fill(Infinity);
  const binHigh = new Float64Array(BINS).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    let b = ((v - min) * scale) | 0;
    if (b > last) b = last;
    counts[b]!++;
    if (v < binLow[b]!) binLow[b] = v;
    if (v > binHigh[b]!) binHigh[b] = v;
  }
  const starts = new Int32Array(BINS);
  for (let b = 1; b < BINS; b++) starts[b] = starts[b - 1]! + counts[b - 1]!;
  const binOf = (k: number) => {
    let lo = 0;
    let hi = BINS - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // Order statistics needed: floor(rank) and the next one, for interpolation.
  const wanted = ranks.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile rank must be in [0, 100], got ${p}`);
    const r = (p / 100) * (n - 1);
    const k = Math.floor(r);
    return { k, t: r - k, next: Math.min(n - 1, k + 1) };
  });
  // Bins that need their values gathered: those of a wanted order statistic holding more than
  // one distinct value. Bin → index into `buckets` (−1: not gathered).
  const slot = new Int32Array(BINS).fill(-1);
  const buckets: Float32Array[] = [];
  for (const w of wanted) {
    for (const k of [w.k, w.next]) {
      const b = binOf(k);
      if (slot[b] === -1 && binLow[b] !== binHigh[b]) {
        slot[b] = buckets.length;
        buckets.push(new Float32Array(counts[b]!));
      }
    }
  }
  if (buckets.length > 0) {
    const fill = new Uint32Array(buckets.length);
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      const b = ((v - min) * scale) | 0;
      const j = slot[b > last ? last : b]!;
      if (j >= 0) buckets[j]![fill[j]!++] = v;
    }
  }
  const orderStat = (k: number) => {
    const b = binOf(k);
    if (binLow[b] === binHigh[b]) return binLow[b]!;
    const bucket = buckets[slot[b]!]!;
    return select(bucket, 0, bucket.length - 1, k - starts[b]!);
  };
  return wanted.map((w) => {
    const v = orderStat(w.k);
    return w.t === 0 ? v : v + (orderStat(w.next) - v) * w.t;
  });
}

/**
 * Reorders a[lo..hi] so that a[k] is the value a sort would put there, everything before it
 * ≤ and everything after ≥ it (Hoare's selection, median-of-three pivots); returns a[k].
 */
export function select(a: Float32Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as pivot, which also guards the sorted and reverse-sorted cases.
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

import { aucMannWhitney, isPositive } from './auc.js';
import { Rng } from '../augment/rng.js';

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Two-sided level: the interval is the [α/2, 1−α/2] percentile range (default 0.05). */
  alpha?: number;
  /** Seed of the resampling (default 0): the same inputs and seed give the same interval. */
  seed?: number;
}

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
}

/**
 * AUC with a stratified percentile-bootstrap confidence interval (positives and negatives
 * resampled separately, keeping their counts, as pROC's `ci.auc` does by default; Carpenter &
 * Bithell 2000 for the percentile method).
 */
export function aucWithCi(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, options: BootstrapOptions = {}): Interval {
  const estimate = aucMannWhitney(scores, labels);
  const stats = new Float64Array(options.resamples ?? 2000);
  stratifiedBootstrap(scores, labels, options, (s, l, r) => (stats[r] = aucMannWhitney(s, l)));
  const [lo, hi] = percentileInterval(stats, options.alpha ?? 0.05);
  return { estimate, lo, hi };
}

/**
 * Stratified bootstrap: positives and negatives are resampled separately with replacement,
 * keeping their counts, `options.resamples` times (default 2000) from `options.seed`. Each
 * resample is passed to `onResample` as scores with labels (positives first, label 1); the
 * buffers are reused, so read them inside the call.
 */
export function stratifiedBootstrap(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  options: BootstrapOptions,
  onResample: (scores: Float64Array, labels: Uint8Array, resample: number) => void,
): void {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (isPositive(labels[i]!) ? pos : neg).push(scores[i]!);
  const resamples = options.resamples ?? 2000;
  const rng = new Rng(options.seed ?? 0);
  const pick = (n: number) => Math.floor(rng.next() * n);
  const s = new Float64Array(pos.length + neg.length);
  const l = new Uint8Array(pos.length + neg.length);
  l.fill(1, 0, pos.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < pos.length; i++) s[i] = pos[pick(pos.length)]!;
    for (let i = 0; i < neg.length; i++) s[pos.length + i] = neg[pick(neg.length)]!;
    onResample(s, l, r);
  }
}

/** [α/2, 1−α/2] percentiles of `values` (linear interpolation between order statistics). */
export function percentileInterval(values: Float64Array, alpha: number): [number, number] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (values.length === 0) throw new RangeError('no bootstrap values');
  const sorted = Float64Array.from(values).sort();
  const q = (p: number) => {
    const x = p * (sorted.length - 1);
    const i = Math.floor(x);
    const f = x - i;
    return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
  };
  return [q(alpha / 2), q(1 - alpha / 2)];
}

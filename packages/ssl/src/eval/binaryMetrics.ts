import { aucMannWhitney, isPositive } from './auc.js';
import { percentileInterval, stratifiedBootstrap, type BootstrapOptions, type Interval } from './bootstrap.js';

/** ROC curve: points (fpr[k], tpr[k]) for "positive when score ≥ thresholds[k]", from (0,0) to (1,1). */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Descending; the first is +Infinity (nothing called positive). */
  thresholds: Float64Array;
}

/**
 * ROC curve of `scores` against binary `labels`, one point per distinct score (ties move
 * together, as in sklearn's roc_curve with drop_intermediate=false).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let p = 0;
  for (let i = 0; i < n; i++) if (isPositive(labels[i]!)) p++;
  const neg = n - p;
  if (p === 0 || neg === 0) throw new RangeError(`a ROC curve needs both classes: ${p} positive, ${neg} negative`);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; ) {
    const s = scores[order[k]!]!;
    while (k < n && scores[order[k]!] === s) {
      if (isPositive(labels[order[k]!]!)) tp++;
      else fp++;
      k++;
    }
    fpr.push(fp / neg);
    tpr.push(tp / p);
    thresholds.push(s);
  }
  return { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr), thresholds: Float64Array.from(thresholds) };
}

/** The operating point maximising Youden's J = sensitivity + specificity − 1 (first maximum by descending threshold). */
export function youdenPoint(roc: RocCurve): { threshold: number; sensitivity: number; specificity: number } {
  let best = 0;
  for (let k = 1; k < roc.fpr.length; k++) if (roc.tpr[k]! - roc.fpr[k]! > roc.tpr[best]! - roc.fpr[best]!) best = k;
  return { threshold: roc.thresholds[best]!, sensitivity: roc.tpr[best]!, specificity: 1 - roc.fpr[best]! };
}

export interface BinaryMetrics {
  n: number;
  positives: number;
  auc: Interval;
  /** Sensitivity, specificity and accuracy at the Youden threshold of the evaluated data. */
  threshold: number;
  sensitivity: Interval;
  specificity: Interval;
  accuracy: Interval;
  roc: RocCurve;
}

function pointStats(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>) {
  const roc = rocCurve(scores, labels);
  const y = youdenPoint(roc);
  let correct = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i]! >= y.threshold) === isPositive(labels[i]!)) correct++;
  return { roc, ...y, accuracy: correct / scores.length, auc: aucMannWhitney(scores, labels) };
}

/**
 * AUC, and sensitivity, specificity and accuracy at the Youden threshold, each with a stratified
 * percentile-bootstrap interval (positives and negatives resampled separately). The threshold
 * is chosen on the evaluated data and chosen again in every resample, so the intervals include
 * the optimism of that choice; for an unbiased operating point pick the threshold on a
 * validation set.
 */
export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, options: BootstrapOptions = {}): BinaryMetrics {
  const point = pointStats(scores, labels);
  const resamples = options.resamples ?? 2000;
  const stats = { auc: new Float64Array(resamples), sensitivity: new Float64Array(resamples), specificity: new Float64Array(resamples), accuracy: new Float64Array(resamples) };
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (isPositive(labels[i]!)) positives++;
  stratifiedBootstrap(scores, labels, options, (s, l, r) => {
    const b = pointStats(s, l);
    stats.auc[r] = b.auc;
    stats.sensitivity[r] = b.sensitivity;
    stats.specificity[r] = b.specificity;
    stats.accuracy[r] = b.accuracy;
  });
  const alpha = options.alpha ?? 0.05;
  const ci = (estimate: number, values: Float64Array): Interval => {
    const [lo, hi] = percentileInterval(values, alpha);
    return { estimate, lo, hi };
  };
  return {
    n: scores.length,
    positives,
    auc: ci(point.auc, stats.auc),
    threshold: point.threshold,
    sensitivity: ci(point.sensitivity, stats.sensitivity),
    specificity: ci(point.specificity, stats.specificity),
    accuracy: ci(point.accuracy, stats.accuracy),
    roc: point.roc,
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryMetrics, rocCurve, youdenPoint } from './binaryMetrics.js';
import { aucMannWhitney } from './auc.js';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Naive: for every candidate threshold t (each score, and +∞), count TP/FP/TN/FN directly. */
function naiveOperatingPoints(scores: number[], labels: number[]) {
  const ts = [Infinity, ...[...new Set(scores)].sort((a, b) => b - a)];
  const P = labels.filter((l) => l === 1).length;
  const N = labels.length - P;
  return ts.map((t) => {
    let tp = 0;
    let fp = 0;
    scores.forEach((s, i) => {
      if (s >= t && labels[i] === 1) tp++;
      else if (s >= t) fp++;
    });
    return { t, tpr: tp / P, fpr: fp / N, acc: (tp + (N - fp)) / labels.length };
  });
}

test('ROC points and the Youden point equal a naive count over every threshold (with ties)', () => {
  const rnd = lcg(3);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + Math.floor(rnd() * 40);
    const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rnd() < 0.3 ? 1 : 0));
    const scores = labels.map((l) => Math.round((rnd() + 0.4 * l) * 10) / 10); // coarse: many ties
    const roc = rocCurve(scores, labels);
    const naive = naiveOperatingPoints(scores, labels);
    assert.equal(roc.thresholds.length, naive.length);
    naive.forEach((p, k) => {
      assert.equal(roc.thresholds[k], p.t);
      assert.ok(Math.abs(roc.tpr[k]! - p.tpr) < 1e-12 && Math.abs(roc.fpr[k]! - p.fpr) < 1e-12);
    });
    const y = youdenPoint(roc);
    const best = Math.max(...naive.map((p) => p.tpr - p.fpr));
    assert.ok(Math.abs(y.sensitivity + y.specificity - 1 - best) < 1e-12);
    const m = binaryMetrics(scores, labels, { resamples: 50, seed: 1 });
    const atT = naive.find((p) => p.t === m.threshold)!;
    assert.ok(Math.abs(m.accuracy.estimate - atT.acc) < 1e-12);
    assert.ok(Math.abs(m.auc.estimate - aucMannWhitney(scores, labels)) < 1e-12);
  }
});

test('bootstrap intervals contain the estimate, are reproducible by seed, and narrow with more data', () => {
  const make = (n: number, seed: number) => {
    const rnd = lcg(seed);
    const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    return { labels, scores: labels.map((l) => rnd() + 0.6 * l) };
  };
  const small = make(60, 1);
  const big = make(1200, 1);
  const a = binaryMetrics(small.scores, small.labels, { resamples: 400, seed: 9 });
  const b = binaryMetrics(small.scores, small.labels, { resamples: 400, seed: 9 });
  assert.deepEqual(a.auc, b.auc);
  for (const k of ['auc', 'sensitivity', 'specificity', 'accuracy'] as const) {
    assert.ok(a[k].lo <= a[k].estimate + 1e-9 && a[k].estimate <= a[k].hi + 1e-9, `${k} ${JSON.stringify(a[k])}`);
  }
  const c = binaryMetrics(big.scores, big.labels, { resamples: 400, seed: 9 });
  assert.ok(c.auc.hi - c.auc.lo < (a.auc.hi - a.auc.lo) / 2, 'AUC interval narrows ~1/√n');
  assert.equal(a.n, 60);
  assert.equal(a.positives, 20);
  assert.throws(() => binaryMetrics([0.1, 0.2], [0, 0]), /needs both classes/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { macroAuc } from './macroAuc.js';
import { runPython } from '../train/testing/runPython.js';
import { Rng } from '../augment/rng.js';

/** Naive one-vs-rest: O(n²) pair counting per class, then the mean over classes that have both. */
function naive(scores: number[], labels: number[], c: number) {
  const per = Array.from({ length: c }, (_, k) => {
    let sum = 0;
    let pairs = 0;
    labels.forEach((yi, i) =>
      labels.forEach((yj, j) => {
        if (yi !== k || yj === k) return;
        pairs++;
        const a = scores[i * c + k]!;
        const b = scores[j * c + k]!;
        sum += a > b ? 1 : a === b ? 0.5 : 0;
      }),
    );
    return pairs ? sum / pairs : null;
  });
  const d = per.filter((x): x is number => x !== null);
  return { per, macro: d.reduce((a, b) => a + b, 0) / d.length };
}

test('macro AUC equals naive one-vs-rest pair counting, with ties and an absent class', () => {
  const rng = new Rng(4);
  const c = 4;
  const labels = Array.from({ length: 60 }, () => Math.floor(rng.next() * 3)); // class 3 never occurs
  const scores = labels.flatMap((y) => Array.from({ length: c }, (_, k) => Math.round((k === y ? 0.8 : 0) + rng.normal()) / 2));
  const r = macroAuc(scores, labels, c);
  const ref = naive(scores, labels, c);
  assert.equal(r.perClass[3], null);
  r.perClass.forEach((a, k) => (a === null ? assert.equal(ref.per[k], null) : assert.ok(Math.abs(a - ref.per[k]!) < 1e-12)));
  assert.ok(Math.abs(r.macro - ref.macro) < 1e-12);
});

test('macro AUC matches the scikit-learn definition computed in numpy (average ranks)', () => {
  const rng = new Rng(9);
  const c = 3;
  const labels = Array.from({ length: 40 }, (_, i) => i % c);
  const scores = labels.flatMap((y) => Array.from({ length: c }, (_, k) => (k === y ? 0.5 : 0) + rng.normal()));
  const ref = runPython<{ macro: number }>(
    `
import json, sys, numpy as np
inp = json.load(sys.stdin)
s = np.array(inp['s']).reshape(-1, inp['c']); y = np.array(inp['y'])
def auc(score, pos):
    order = np.argsort(score, kind='mergesort'); ranks = np.empty(len(score)); ranks[order] = np.arange(1, len(score) + 1)
    for v in np.unique(score):
        m = score == v; ranks[m] = ranks[m].mean()
    n1 = pos.sum(); n0 = len(pos) - n1
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
print(json.dumps({'macro': float(np.mean([auc(s[:, k], y == k) for k in range(inp['c'])]))}))
`,
    { s: scores, y: labels, c },
  );
  assert.ok(Math.abs(macroAuc(scores, labels, c).macro - ref.macro) < 1e-12);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aucMannWhitney } from './auc.js';
import { aucWithCi } from './bootstrap.js';
import { Rng } from '../augment/rng.js';

/** O(n²) pair counting straight from the definition: P(s⁺ > s⁻) + ½P(s⁺ = s⁻). */
function naiveAuc(scores: number[], labels: number[]): number {
  let sum = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((sn, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      sum += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return sum / pairs;
}

test('AUC equals naive pair counting, with and without ties', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 30; trial++) {
    const n = 5 + Math.floor(rng.next() * 80);
    const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.next() < 0.3 ? 1 : 0));
    // coarse scores make many ties on odd trials
    const scores = labels.map((l) => (trial % 2 ? Math.round((l + rng.normal()) * 2) / 2 : l * 0.7 + rng.normal()));
    const got = aucMannWhitney(scores, labels);
    assert.ok(Math.abs(got - naiveAuc(scores, labels)) < 1e-12, `trial ${trial}`);
  }
});

test('AUC closed cases: perfect, reversed, all tied; errors', () => {
  assert.equal(aucMannWhitney([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(aucMannWhitney([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  assert.equal(aucMannWhitney([3, 3, 3], [true, false, true]), 0.5);
  assert.throws(() => aucMannWhitney([1, 2], [1, 1]), /both classes/);
  assert.throws(() => aucMannWhitney([1, 2], [1, 2]), /0\/1/);
});

test('bootstrap CI: degenerate for perfect separation, and its width matches the Hanley–McNeil SE', () => {
  const perfect = aucWithCi([0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1], { resamples: 200 });
  assert.deepEqual(perfect, { estimate: 1, lo: 1, hi: 1 });

  const rng = new Rng(21);
  const nPos = 150;
  const nNeg = 250;
  const labels = [...new Array<number>(nPos).fill(1), ...new Array<number>(nNeg).fill(0)];
  const scores = labels.map((l) => l * 1.0 + rng.normal());
  const r = aucWithCi(scores, labels, { resamples: 1000, seed: 3 });
  const a = r.estimate;
  // Hanley & McNeil (1982), eq. 2, an independent approximation of the AUC's standard error
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const se = Math.sqrt((a * (1 - a) + (nPos - 1) * (q1 - a * a) + (nNeg - 1) * (q2 - a * a)) / (nPos * nNeg));
  const width = r.hi - r.lo;
  assert.ok(r.lo < a && a < r.hi);
  assert.ok(Math.abs(width / (2 * 1.96 * se) - 1) < 0.2, `bootstrap width ${width} vs normal-theory ${2 * 1.96 * se}`);
  assert.deepEqual(aucWithCi(scores, labels, { resamples: 1000, seed: 3 }), r, 'same seed, same interval');
});

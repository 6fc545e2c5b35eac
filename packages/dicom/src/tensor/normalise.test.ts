import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentileOfSorted, percentiles, robustStats, select } from './stats.js';
import { applyWindow, CT_WINDOWS, DEFAULT_POLICY, invert, luminance, normalisationFor, scaleToUnit, zScore } from './normalise.js';
import { runPythonReference } from './pythonReference.js';

function noise(n: number, seed: number, scale = 1000): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round(((s / 2 ** 32) ** 2) * scale); // skewed, with ties, like real intensities
  }
  return out;
}

test('robustStats matches numpy (percentile linear, mean, population std) over non-padding values of several frames', () => {
  const a = noise(3001, 7);
  const b = noise(1999, 11, 4000);
  const mask = new Uint8Array(b.length);
  for (let i = 0; i < mask.length; i += 3) mask[i] = 1;
  b[0] = 1e9; // a padding pixel with an absurd value must not shift anything
  const ours = robustStats([{ values: a }, { values: b, mask }], { lowPercentile: 1, highPercentile: 99 })!;
  const kept = [...Array.from(a), ...Array.from(b).filter((_, i) => !mask[i])];
  const ref = runPythonReference<{ mean: number; std: number; low: number; high: number; n: number }>(
    `import sys, json, numpy as np
v = np.array(json.load(sys.stdin), dtype=np.float64)
print(json.dumps({'n': int(v.size), 'mean': float(v.mean()), 'std': float(v.std()), 'low': float(np.percentile(v, 1)), 'high': float(np.percentile(v, 99))}))`,
    kept,
  );
  assert.equal(ours.count, ref.n);
  assert.ok(Math.abs(ours.mean - ref.mean) < 1e-6 * Math.abs(ref.mean));
  assert.ok(Math.abs(ours.std - ref.std) < 1e-6 * ref.std);
  assert.ok(Math.abs(ours.low - ref.low) < 1e-3);
  assert.ok(Math.abs(ours.high - ref.high) < 1e-3);
});

test('robustStats subsamples to maxValues with a common stride and returns undefined when all is padding', () => {
  const v = Float32Array.from({ length: 10000 }, (_, i) => i);
  const s = robustStats([{ values: v }], { maxValues: 1000, lowPercentile: 0, highPercentile: 100 })!;
  assert.equal(s.count, 1000);
  assert.equal(s.low, 0);
  assert.equal(s.high, 9990);
  assert.ok(Math.abs(s.mean - 4995) < 1e-9);
  assert.equal(robustStats([{ values: v, mask: new Uint8Array(v.length).fill(1) }]), undefined);
  assert.throws(() => robustStats([{ values: v }], { lowPercentile: 60, highPercentile: 40 }), /low < high/);
});

test('percentileOfSorted interpolates between order statistics', () => {
  assert.equal(percentileOfSorted([10, 20, 30, 40], 50), 25);
  assert.equal(percentileOfSorted([10, 20, 30, 40], 100), 40);
  assert.ok(Math.abs(percentileOfSorted([0, 10], 33) - 3.3) < 1e-12);
});

test('windowing: CT lung window maps −1350 HU to 0, 150 HU to 1, −600 HU to 0.5, and clips beyond', () => {
  const { center, width } = CT_WINDOWS.lung;
  const hu = Float32Array.from([-2000, -1350, -600, 150, 3000, -975]);
  const out = applyWindow(hu, center, width);
  assert.deepEqual(Array.from(out), [0, 0, 0.5, 1, 1, 0.25]);
  assert.throws(() => applyWindow(hu, 0, 0), /width must be > 0/);
});

test('padding pixels become the pad value in every normalisation, whatever their raw value', () => {
  const v = Float32Array.from([0, 50, 100, -30000]);
  const mask = Uint8Array.from([0, 0, 0, 1]);
  assert.deepEqual(Array.from(scaleToUnit(v, 0, 100, mask, -1)), [0, 0.5, 1, -1]);
  assert.deepEqual(Array.from(zScore(v, { mean: 50, std: 25 }, 5, mask, 9)), [-2, 0, 2, 9]);
  assert.deepEqual(Array.from(invert(Float32Array.from([0.25, 1, 0]), 'percentile', Uint8Array.from([0, 0, 1]))), [0.75, 0, 0]);
});

test('zScore clips at ±clip and maps a flat image to 0', () => {
  const out = zScore(Float32Array.from([0, 100, 1000]), { mean: 100, std: 10 }, 3);
  assert.deepEqual(Array.from(out), [-3, 0, 3]);
  assert.deepEqual(Array.from(zScore(Float32Array.from([4, 4]), { mean: 4, std: 0 })), [0, 0]);
});

test('luminance matches PIL convert("L") to within its integer rounding (±0.5)', () => {
  const rgb = noise(3 * 500, 3, 255);
  const ours = luminance(rgb);
  const pil = runPythonReference<number[]>(
    `import sys, json, numpy as np
from PIL import Image
a = np.array(json.load(sys.stdin), dtype=np.uint8).reshape(1, -1, 3)
print(json.dumps(np.asarray(Image.fromarray(a, 'RGB').convert('L')).ravel().tolist()))`,
    Array.from(rgb),
  );
  assert.equal(pil.length, ours.length);
  for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(ours[i]! - pil[i]!) <= 0.5 + 1e-4, `pixel ${i}: ${ours[i]} vs PIL ${pil[i]}`);
});

test('default policy: CR/DX use VOI, MR percentile, CT mediastinal window, others percentile', () => {
  assert.equal(normalisationFor(DEFAULT_POLICY, 'DX').kind, 'voi');
  assert.equal(normalisationFor(DEFAULT_POLICY, 'cr').kind, 'voi');
  assert.equal(normalisationFor(DEFAULT_POLICY, 'MR').kind, 'percentile');
  assert.deepEqual(normalisationFor(DEFAULT_POLICY, 'CT'), { kind: 'window', center: 40, width: 400 });
  assert.equal(normalisationFor(DEFAULT_POLICY, 'US').kind, 'percentile');
  assert.equal(normalisationFor(DEFAULT_POLICY, undefined).kind, 'percentile');
  assert.deepEqual(normalisationFor({ kind: 'zscore' }, 'CT'), { kind: 'zscore' });
});

test('histogram + selection percentiles equal sorting, on random, tied, skewed, sorted, reversed and constant data', () => {
  const skewed = Float32Array.from({ length: 20000 }, (_, i) => (i % 10 < 6 ? 0 : i % 10 === 9 ? 1e6 + i : i));
  // Continuous values put several distinct values in every bin (the gather + select path);
  // integer data puts one per bin (the shortcut path).
  const continuous = Float32Array.from({ length: 30011 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  const cases = [continuous, noise(10007, 1), noise(5000, 2, 3), skewed, Float32Array.from({ length: 4001 }, (_, i) => i), Float32Array.from({ length: 4001 }, (_, i) => -i), new Float32Array(999).fill(5), Float32Array.from([3])];
  for (const values of cases) {
    const sorted = values.slice().sort();
    for (const [lo, hi] of [[0.5, 99.5], [0, 100], [1, 99], [50, 50.5], [13.7, 86.1]] as const) {
      const s = robustStats([{ values }], { lowPercentile: lo, highPercentile: hi, maxValues: 1e9 })!;
      assert.ok(Math.abs(s.low - percentileOfSorted(sorted, lo)) <= 1e-9 * (1 + Math.abs(s.low)), `low ${lo}`);
      assert.ok(Math.abs(s.high - percentileOfSorted(sorted, hi)) <= 1e-9 * (1 + Math.abs(s.high)), `high ${hi}`);
    }
    const copy = values.slice();
    const ranks = [0, 0.1, 25, 50, 99.9, 100];
    const got = percentiles(values, ranks);
    ranks.forEach((p, i) => assert.ok(Math.abs(got[i]! - percentileOfSorted(sorted, p)) <= 1e-9 * (1 + Math.abs(got[i]!)), `rank ${p}`));
    assert.deepEqual(values, copy, 'percentiles() leaves its input alone');
  }
  for (let k = 0; k < 50; k++) {
    const a = noise(200, 100 + k, 50);
    const sorted = a.slice().sort();
    const target = k * 4;
    assert.equal(select(a, 0, a.length - 1, target), sorted[target]);
    for (let i = 0; i < target; i++) assert.ok(a[i]! <= sorted[target]!);
    for (let i = target + 1; i < a.length; i++) assert.ok(a[i]! >= sorted[target]!);
  }
});

test('robustStats skips non-finite values whether the frame is read in place or copied', () => {
  const clean = Float32Array.from([1, 2, 3, 4, 5]);
  const dirty = Float32Array.from([1, NaN, 2, Infinity, 3, 4, -Infinity, 5]);
  const a = robustStats([{ values: clean }], { lowPercentile: 0, highPercentile: 100 })!;
  const b = robustStats([{ values: dirty }], { lowPercentile: 0, highPercentile: 100 })!;
  assert.deepEqual(b, a);
  assert.deepEqual([a.count, a.mean, a.low, a.high], [5, 3, 1, 5]);
  assert.ok(Math.abs(a.std - Math.sqrt(2)) < 1e-12);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDicomError } from '../errors.js';
import { applyRange, applyWindow } from './voiLut.js';

/** PS3.3 C.11.2.1.2.1 pseudo-code with an explicit output range, then scaled to [0, 1]. */
function naiveLinear(x: number, c: number, w: number, yMin: number, yMax: number): number {
  let y: number;
  if (x <= c - 0.5 - (w - 1) / 2) y = yMin;
  else if (x > c - 0.5 + (w - 1) / 2) y = yMax;
  else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * (yMax - yMin) + yMin;
  return (y - yMin) / (yMax - yMin);
}

/** C.11.2.1.3.2 */
function naiveLinearExact(x: number, c: number, w: number): number {
  if (x <= c - w / 2) return 0;
  if (x > c + w / 2) return 1;
  return (x - c) / w + 0.5;
}

/** C.11.2.1.3.1 with y_min 0, y_max 255, scaled. */
function naiveSigmoid(x: number, c: number, w: number): number {
  return 255 / (1 + Math.exp((-4 * (x - c)) / w)) / 255;
}

const xs = Array.from({ length: 801 }, (_, i) => -200 + i * 0.5);

test('LINEAR window equals the C.11.2.1.2.1 formula, boundaries included', () => {
  for (const [c, w] of [[40, 400], [0, 1], [100, 2], [-50.5, 10], [1000, 1]] as const) {
    const out = new Float64Array(xs.length);
    applyWindow(xs, c, w, 'LINEAR', out);
    xs.forEach((x, i) => assert.ok(Math.abs(out[i]! - naiveLinear(x, c, w, 0, 255)) < 1e-12, `c ${c} w ${w} x ${x}: ${out[i]}`));
  }
  // Exactly at the lower bound the output is the minimum, just above it is not.
  const edge = new Float64Array(2);
  applyWindow([40 - 0.5 - 399 / 2, 40 - 0.5 - 399 / 2 + 1], 40, 400, 'LINEAR', edge);
  assert.equal(edge[0], 0);
  assert.ok(edge[1]! > 0);
});

test('LINEAR_EXACT and SIGMOID equal C.11.2.1.3', () => {
  for (const [c, w] of [[40, 400], [0, 0.5], [-100, 33]] as const) {
    const exact = new Float64Array(xs.length);
    const sigmoid = new Float64Array(xs.length);
    applyWindow(xs, c, w, 'LINEAR_EXACT', exact);
    applyWindow(xs, c, w, 'SIGMOID', sigmoid);
    xs.forEach((x, i) => {
      assert.ok(Math.abs(exact[i]! - naiveLinearExact(x, c, w)) < 1e-12);
      assert.ok(Math.abs(sigmoid[i]! - naiveSigmoid(x, c, w)) < 1e-12);
    });
  }
});

test('windows with an impossible width are refused with INVALID_ATTRIBUTE', () => {
  const out = new Float64Array(1);
  for (const [w, fn] of [[0.5, 'LINEAR'], [0, 'LINEAR_EXACT'], [-1, 'SIGMOID']] as const) {
    assert.throws(() => applyWindow([1], 0, w, fn, out), (e) => isDicomError(e) && e.code === 'INVALID_ATTRIBUTE' && /Window Width/.test(e.message));
  }
});

test('applyRange maps [min, max] linearly onto [0, 1], constant images to 0', () => {
  const out = new Float64Array(3);
  applyRange([-10, 0, 30], -10, 30, out);
  assert.deepEqual(Array.from(out), [0, 0.25, 1]);
  applyRange([5, 5, 5], 5, 5, out);
  assert.deepEqual(Array.from(out), [0, 0, 0]);
});

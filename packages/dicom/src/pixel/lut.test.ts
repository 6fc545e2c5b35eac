import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyLut } from './lut.js';
import { paddingMask } from './padding.js';
import { applyPalette, expandSegmentedLut } from './palette.js';
import { modalityValues, rescale } from './modalityLut.js';

test('applyLut: inputs below firstMapped take entry 0, above the last take the last (C.11.1.1.1)', () => {
  const lut = { firstMapped: -2, bits: 16, data: Uint16Array.from([10, 20, 30, 40]) };
  const xs = [-5, -2, -1, 0, 1, 2, 99];
  const out = new Float64Array(xs.length);
  applyLut(xs, lut, out);
  const naive = xs.map((x) => lut.data[Math.min(Math.max(x - lut.firstMapped, 0), lut.data.length - 1)]);
  assert.deepEqual(Array.from(out), naive);
  assert.deepEqual(Array.from(out), [10, 10, 20, 30, 40, 40, 40]);
});

test('rescale is slope × stored + intercept in double precision', () => {
  const out = new Float64Array(3);
  rescale(Int16Array.from([-2000, 0, 1234]), 3.774114, 0.000061, out);
  assert.deepEqual(Array.from(out), [-2000 * 3.774114 + 0.000061, 0.000061, 1234 * 3.774114 + 0.000061]);
});

test('padding mask covers the value, or the closed range with the limit in either order (C.7.5.1.1.2)', () => {
  const v = [-2001, -2000, -1995, -1990, -1989, 0];
  assert.deepEqual(Array.from(paddingMask(v, -2000)), [0, 1, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(paddingMask(v, -2000, -1990)), [0, 1, 1, 1, 0, 0]);
  assert.deepEqual(Array.from(paddingMask(v, -1990, -2000)), [0, 1, 1, 1, 0, 0]);
});

test('segmented palette: discrete, linear and indirect segments (C.7.9.2)', () => {
  // discrete 3 values; linear 4 steps 30 → 100 (47.5 and 82.5 tie: to even, as numpy.around);
  // indirect copy of 1 segment at byte offset 0.
  const words = [0, 3, 10, 20, 30, 1, 4, 100, 2, 1, 0, 0];
  assert.deepEqual(expandSegmentedLut(words), [10, 20, 30, 48, 65, 82, 100, 10, 20, 30]);
});

test('palette lookup writes interleaved RGB', () => {
  const mk = (d: number[]) => ({ firstMapped: 1, bits: 8, data: Uint8Array.from(d) });
  const palette = { red: mk([1, 2, 3]), green: mk([4, 5, 6]), blue: mk([7, 8, 9]) };
  const out = new Float32Array(9);
  applyPalette([0, 2, 9], palette, out);
  assert.deepEqual(Array.from(out), [1, 4, 7, 2, 5, 8, 3, 6, 9]);
});

test('modalityValues: Modality LUT when given, else the rescale', () => {
  const lut = { firstMapped: -10, bits: 16, data: Uint16Array.from({ length: 50 }, (_, k) => k * k) };
  for (const n of [100, 20000]) {
    const values = Int16Array.from({ length: n }, (_, i) => ((i * 37) % 4096) - 2048);
    const rescaled = modalityValues(values, undefined, 2.5, -1024);
    const looked = modalityValues(values, lut, 1, 0);
    values.forEach((v, i) => {
      assert.equal(rescaled[i], Math.fround(v * 2.5 - 1024));
      assert.equal(looked[i], lut.data[Math.min(Math.max(v + 10, 0), 49)]);
    });
  }
});

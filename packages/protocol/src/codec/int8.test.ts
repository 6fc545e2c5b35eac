import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../testing/random.js';
import { dequantizeInt8, quantizeInt8 } from './int8.js';

test('int8: scale is max|x|/127 and every value is within scale/2 after a round trip', () => {
  const rnd = seededRandom(3);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rnd() * 3000);
    const spread = 10 ** (rnd() * 8 - 6);
    const x = new Float32Array(n).map(() => (rnd() * 2 - 1) * spread);
    let maxAbs = 0;
    for (const v of x) maxAbs = Math.max(maxAbs, Math.abs(v));
    const q = new Int8Array(n);
    const scale = quantizeInt8(x, q);
    assert.ok(Math.abs(scale - maxAbs / 127) <= 1e-12 * maxAbs);
    const y = new Float32Array(n);
    dequantizeInt8(q, scale, y);
    for (let i = 0; i < n; i++) {
      assert.ok(q[i]! >= -127 && q[i]! <= 127);
      // fp32 storage of the dequantised value adds at most one ulp on top of the scale/2 bound.
      assert.ok(Math.abs(y[i]! - x[i]!) <= scale / 2 + 2 ** -23 * Math.abs(x[i]!) * 2, `i=${i} x=${x[i]} y=${y[i]} scale=${scale}`);
    }
  }
});

test('int8: the extreme value maps to ±127 exactly and zeros give scale 0', () => {
  const q = new Int8Array(3);
  const scale = quantizeInt8(new Float32Array([-2, 1, 0.5]), q);
  assert.deepEqual([...q], [-127, 64, 32]);
  assert.equal(scale, 2 / 127);
  const z = new Int8Array(2);
  assert.equal(quantizeInt8(new Float32Array([0, -0]), z), 0);
  assert.deepEqual([...z], [0, 0]);
});

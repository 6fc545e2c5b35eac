import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { clipByGlobalNorm } from './clipByGlobalNorm.js';

await tf.setBackend('cpu');

function naiveClip(arrays: number[][], maxNorm: number): { out: number[][]; norm: number } {
  let sq = 0;
  for (const a of arrays) for (const x of a) sq += x * x;
  const norm = Math.sqrt(sq);
  const scale = norm > maxNorm ? maxNorm / norm : 1;
  return { out: arrays.map((a) => a.map((x) => x * scale)), norm };
}

function check(arrays: number[][], shapes: number[][], maxNorm: number) {
  const before = tf.memory().numTensors;
  const ts = arrays.map((a, i) => tf.tensor(a, shapes[i]));
  const { clipped, norm } = clipByGlobalNorm(ts, maxNorm);
  const ref = naiveClip(arrays, maxNorm);
  assert.ok(Math.abs(norm - ref.norm) <= 1e-5 * ref.norm);
  clipped.forEach((c, i) => {
    assert.deepEqual(c.shape, shapes[i]);
    const got = c.dataSync();
    ref.out[i]!.forEach((x, j) => assert.ok(Math.abs(got[j]! - x) <= 1e-6 + 1e-5 * Math.abs(x), `${got[j]} vs ${x}`));
  });
  tf.dispose([...ts, ...clipped]);
  assert.equal(tf.memory().numTensors, before);
}

test('clips when the global norm exceeds maxNorm, matching a naive loop', () => {
  check([[3, 4], [12, 0, 0, 0]], [[2], [2, 2]], 1); // norm 13
});

test('leaves gradients unchanged below maxNorm', () => {
  check([[0.1, -0.2], [0.05]], [[2], [1]], 10);
});

test('random shapes', () => {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const arrays = [Array.from({ length: 24 }, rnd), Array.from({ length: 5 }, rnd), Array.from({ length: 9 }, rnd)];
  check(arrays, [[2, 3, 4], [5], [3, 3]], 0.7);
});

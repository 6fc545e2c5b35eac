import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './registerGradients.js';
import { groupNorm } from './groupNorm.js';
import { groupNormFused } from './groupNormFused.js';
import { Rng } from '../augment/rng.js';

await tf.setBackend('cpu');

const rand = (rng: Rng, shape: number[], scale = 1, offset = 0) => tf.tensor(rng.normals(shape.reduce((a, b) => a * b)).map((v) => v * scale + offset), shape);

const close = (a: tf.Tensor, b: tf.Tensor, tol: number, what: string) => {
  const x = a.dataSync(), y = b.dataSync();
  assert.deepEqual(a.shape, b.shape, what);
  const scale = Math.max(1, ...Array.from(y, Math.abs));
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= tol * scale, `${what}[${i}]: ${x[i]} vs ${y[i]}`);
};

test('fused GroupNorm: forward and gradients (x, γ, β) equal autodiff of the reference composition', () => {
  const rng = new Rng(17);
  for (const [shape, groups] of [[[2, 5, 4, 6], 3], [[3, 4, 4, 8], 8], [[1, 3, 5, 4], 1], [[2, 6, 6, 16], 4]] as Array<[[number, number, number, number], number]>) {
    const x = rand(rng, shape, 2, 0.5) as tf.Tensor4D;
    const gamma = rand(rng, [shape[3]], 0.5, 1) as tf.Tensor1D;
    const beta = rand(rng, [shape[3]]) as tf.Tensor1D;
    const probe = rand(rng, shape);
    close(groupNormFused(x, gamma, beta, groups), groupNorm(x, gamma, beta, groups), 1e-5, `forward G=${groups}`);
    const f = (fn: typeof groupNorm) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, groups), probe)) as tf.Scalar;
    const want = tf.grads(f(groupNorm))([x, gamma, beta]);
    const got = tf.grads(f(groupNormFused as typeof groupNorm))([x, gamma, beta]);
    ['dx', 'dγ', 'dβ'].forEach((name, i) => close(got[i]!, want[i]!, 1e-4, `${name} G=${groups}`));
  }
});

test('fused GroupNorm leaks no tensors through forward and backward', () => {
  const rng = new Rng(18);
  const x = rand(rng, [2, 4, 4, 8]) as tf.Tensor4D;
  const gamma = tf.variable(tf.ones([8])), beta = tf.variable(tf.zeros([8]));
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(groupNormFused(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, 4))) as tf.Scalar, [gamma, beta]);
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  assert.equal(tf.memory().numTensors, before);
});

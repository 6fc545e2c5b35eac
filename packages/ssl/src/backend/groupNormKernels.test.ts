import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { fusedGroupNorm, hasFusedGroupNorm, registerGroupNormKernels } from './groupNormKernels.js';

/**
 * The fused GroupNorm kernels against (a) a naive float64 loop written from the paper's Eq. (1)–(2)
 * for the forward pass and (b) tfjs autodiff through the composed ops (reshape, moments, rsqrt)
 * on the cpu backend for all three gradients, on both the cpu and the wasm backend.
 */
registerGroupNormKernels();

function naiveGroupNorm(relu: boolean, x: Float32Array, shape: number[], gamma: Float32Array, beta: Float32Array, groups: number, eps: number): Float64Array {
  const n = shape[0]!;
  const c = shape[shape.length - 1]!;
  const positions = x.length / (n * c);
  const out = new Float64Array(x.length);
  const per = c / groups;
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let p = 0; p < positions; p++) for (let k = 0; k < per; k++) idx.push((s * positions + p) * c + g * per + k);
      const mean = idx.reduce((a, i) => a + x[i]!, 0) / idx.length;
      const variance = idx.reduce((a, i) => a + (x[i]! - mean) ** 2, 0) / idx.length;
      for (const i of idx) out[i] = Math.max(relu ? 0 : -Infinity, ((x[i]! - mean) / Math.sqrt(variance + eps)) * gamma[i % c]! + beta[i % c]!);
    }
  }
  return out;
}

function composedGroupNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, eps: number): tf.Tensor {
  const c = x.shape[x.rank - 1]!;
  const grouped = tf.reshape(x, [...x.shape.slice(0, -1), groups, c / groups]);
  const axes = x.rank === 4 ? [1, 2, 4] : [2];
  const { mean, variance } = tf.moments(grouped, axes, true);
  const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
  return tf.add(tf.mul(normed, gamma), beta);
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, label: string): void {
  assert.equal(got.length, want.length, label);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(scale, 1e-6))) assert.fail(`${label}: element ${i} is ${got[i]}, expected ${want[i]}`);
  }
}

for (const backend of ['cpu', 'wasm']) {
  for (const relu of [false, true]) test(`fused GroupNorm${relu ? ' + ReLU' : ''} on ${backend}: forward matches the paper's formula, gradients match autodiff of the composed ops`, async () => {
    await tf.setBackend(backend);
    assert.ok(hasFusedGroupNorm());
    for (const [shape, groups] of [[[2, 5, 4, 6], 3], [[3, 7, 7, 8], 8], [[4, 12], 4], [[1, 3, 2, 16], 1]] as const) {
      const c = shape[shape.length - 1]!;
      const x = tf.add(tf.mul(tf.randomNormal([...shape], 0, 1, 'float32', 7), 3), 1.5);
      const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 8) as tf.Tensor1D;
      const beta = tf.randomNormal([c], 0, 1, 'float32', 9) as tf.Tensor1D;
      const w = tf.randomNormal([...shape], 0, 1, 'float32', 10);
      const label = `${backend} ${JSON.stringify(shape)} G=${groups} relu=${relu}`;
      const before = tf.memory().numTensors;
      const y = fusedGroupNorm(x, gamma, beta, groups, 1e-5, relu);
      close(await y.data(), naiveGroupNorm(relu, (await x.data()) as Float32Array, [...shape], (await gamma.data()) as Float32Array, (await beta.data()) as Float32Array, groups, 1e-5), 1e-5, `${label} forward`);
      const loss = (f: typeof composedGroupNorm) => (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.sin(f(a, b, d, groups, 1e-5)), w));
      const fused = tf.grads(loss((a, b, d, g, e) => fusedGroupNorm(a, b as tf.Tensor1D, d as tf.Tensor1D, g, e, relu)))([x, gamma, beta]);
      await tf.setBackend('cpu');
      const reference = tf.grads(loss((a, b, d, g, e) => (relu ? tf.relu(composedGroupNorm(a, b, d, g, e)) : composedGroupNorm(a, b, d, g, e))))([x, gamma, beta]);
      await tf.setBackend(backend);
      for (let i = 0; i < 3; i++) close(await fused[i]!.data(), await reference[i]!.data(), 1e-4, `${label} gradient ${['x', 'gamma', 'beta'][i]}`);
      tf.dispose([y, ...fused, ...reference]);
      assert.equal(tf.memory().numTensors, before, `${label}: tensors leaked`);
      tf.dispose([x, gamma, beta, w]);
    }
  });
}

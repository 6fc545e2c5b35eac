import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../backend/initBackend.js';
import { augmentBatch } from '../augment/augmentBatch.js';
import { loadAugmentConfig } from '../augment/loadAugmentConfig.js';
import { createMethod } from './createMethod.js';
import type { MethodName } from './types.js';

/*
 * The same augmentations, losses and gradients on the wasm backend (what sites train on) as on
 * the cpu reference backend. This caught tf.image.cropAndResize sampling past the last column on
 * wasm, which is why crops use the gather-based resampler.
 */

const preset = new URL('../../../../configs/augment/mr.yaml', import.meta.url).pathname;
const data = Float32Array.from({ length: 8 * 32 * 32 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);
const methods: MethodName[] = ['simclr', 'moco', 'byol', 'supcon', 'triplet'];

async function run(backend: 'cpu' | 'wasm') {
  if (backend === 'cpu') await tf.setBackend('cpu');
  else await initBackend({ force: 'wasm' });
  assert.equal(tf.getBackend(), backend);
  const x = tf.tensor4d(data, [8, 32, 32, 1]);
  const views = augmentBatch(x, { ...loadAugmentConfig(preset), outputSize: 16 }, 5);
  const flipped = tf.reverse(views, 2) as tf.Tensor4D;
  const labels = tf.tensor1d([0, 1, 0, 1, 2, 2, 3, 3], 'int32');
  const out: Record<string, number> = {};
  for (const method of methods) {
    const m = createMethod({ method, encoder: { arch: 'smallcnn', width: 4, inputSize: 16 }, seed: 3 });
    const { value, grads } = tf.variableGrads(() => m.loss(views, flipped, labels), m.trainableVariables());
    out[`${method} loss`] = value.dataSync()[0]!;
    out[`${method} |grad|`] = tf.tidy(() => Math.sqrt(Object.values(grads).reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0]!, 0)));
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    m.dispose();
  }
  return { pixels: views.dataSync().slice(), out };
}

test('augmentations, method losses and gradient norms agree between the wasm and cpu backends', async () => {
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  let worst = 0;
  for (let i = 0; i < cpu.pixels.length; i++) worst = Math.max(worst, Math.abs(cpu.pixels[i]! - wasm.pixels[i]!));
  assert.ok(worst < 1e-4, `augmented pixels differ by up to ${worst}`);
  for (const [k, v] of Object.entries(cpu.out)) {
    assert.ok(Math.abs(wasm.out[k]! - v) <= 1e-3 * Math.max(1, Math.abs(v)), `${k}: wasm ${wasm.out[k]} vs cpu ${v}`);
    assert.ok(v > 0, `${k} is ${v}`);
  }
});

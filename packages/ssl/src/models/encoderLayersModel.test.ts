import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { createEncoder } from './createEncoder.js';
import { encoderLayersModel } from './encoderLayersModel.js';
import type { EncoderConfig } from './types.js';
import { Rng } from '../augment/rng.js';

await tf.setBackend('cpu');

const images = (seed: number, n: number, s: number) => {
  const rng = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * s * s }, () => rng.next()), [n, s, s, 1]);
};

/** Moves norm parameters and running stats away from their initial values so the comparison sees them. */
function perturb(weights: Map<string, tf.Variable>, seed: number) {
  const rng = new Rng(seed);
  for (const [name, v] of weights) {
    const base = name.endsWith('gamma') || name.endsWith('moving_variance') ? 1 : 0;
    if (/(gamma|beta|moving_mean|moving_variance)$/.test(name)) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => base + 0.3 * Math.abs(rng.normal())), v.shape));
  }
}

const cases: Array<[string, Partial<EncoderConfig>, number]> = [
  ['resnet18 gn', { arch: 'resnet18', width: 4, inputSize: 16, groups: 2 }, 16],
  ['resnet18 bn, imagenet stem', { arch: 'resnet18', width: 4, inputSize: 96, norm: 'bn', stem: 'imagenet' }, 33],
  ['smallcnn gn', { arch: 'smallcnn', width: 4, inputSize: 16 }, 16],
];

for (const [label, config, size] of cases) {
  test(`LayersModel of the ${label} encoder predicts what the encoder computes, and survives save/load`, async () => {
    const enc = createEncoder(config, { seed: 11 });
    perturb(enc.weights().federated, 1);
    perturb(enc.weights().local, 2);
    const x = images(3, 2, size);
    const want = enc.apply(x, false);
    const model = encoderLayersModel(enc);
    const names = model.weights.map((w) => w.originalName).sort();
    assert.deepEqual(names, [...enc.weights().federated.keys(), ...enc.weights().local.keys()].sort());
    const got = model.predict(x) as tf.Tensor;
    assert.deepEqual(got.shape, want.shape);
    const g = got.dataSync(), w = want.dataSync();
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(g[i]! - w[i]!) < 1e-4, `[${i}] ${g[i]} vs ${w[i]}`);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    assert.deepEqual((loaded.predict(x) as tf.Tensor).dataSync(), g);
    enc.dispose();
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createEncoder } from '../models/createEncoder.js';
import { balancedSampleWeights } from './classWeights.js';
import { ClassifierError, classifierProbabilities, disposeClassifier, fitClassifier } from './classifier.js';
import { loadClassifier, saveClassifier } from './classifierIo.js';

await tf.setBackend('cpu');

/** 16×16 images: class 1 has a bright 4×4 square at a random place, class 0 does not; noise on both. */
function squares(n: number, positives: number, seed: number) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const images = new Float32Array(n * 256);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i < positives ? 1 : 0;
    for (let p = 0; p < 256; p++) images[i * 256 + p] = 0.3 + 0.1 * rnd();
    if (labels[i]) {
      const y0 = 2 + Math.floor(rnd() * 10);
      const x0 = 2 + Math.floor(rnd() * 10);
      for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 4; x++) images[i * 256 + y * 16 + x] = 1;
    }
  }
  return { images, shape: [n, 16, 16, 1] as [number, number, number, number], labels };
}

test('balanced weights give each class equal total weight and mean 1', () => {
  const w = balancedSampleWeights(Int32Array.from([0, 0, 0, 1]), 2);
  [4 / 6, 4 / 6, 4 / 6, 2].forEach((v, i) => assert.ok(Math.abs(w[i]! - v) < 1e-6, `w[${i}] = ${w[i]}`));
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) / w.length - 1) < 1e-6);
});

test('linear and full fine-tuning learn an imbalanced toy task; saved and loaded classifiers predict identically; no tensor leaks', async () => {
  const train = squares(40, 8, 1);
  const testSet = squares(40, 10, 2);
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-clf-'));
  try {
    for (const mode of ['linear', 'full'] as const) {
      const before = tf.memory().numTensors;
      const c = fitClassifier(createEncoder({ arch: 'smallcnn', width: 4, inputSize: 16 }, { seed: 3 }), train, 2, { mode, epochs: 8, seed: 1, lr: 3e-3 });
      const p = classifierProbabilities(c, testSet);
      // Rows are probability distributions.
      for (let i = 0; i < 40; i++) assert.ok(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1) < 1e-5);
      // Balanced accuracy well above chance on held-out images.
      let tp = 0;
      let tn = 0;
      for (let i = 0; i < 40; i++) {
        const pred = p[2 * i + 1]! > 0.5 ? 1 : 0;
        if (pred === 1 && testSet.labels[i] === 1) tp++;
        if (pred === 0 && testSet.labels[i] === 0) tn++;
      }
      const balancedAcc = (tp / 10 + tn / 30) / 2;
      assert.ok(balancedAcc > 0.7, `${mode}: balanced accuracy ${balancedAcc}`);

      await saveClassifier(join(dir, mode), c, { classes: ['normal', 'anomaly'], positiveClass: 'anomaly', mode, encoderSource: 'none' });
      const { classifier: back, metadata } = await loadClassifier(join(dir, mode));
      assert.deepEqual(metadata.classes, ['normal', 'anomaly']);
      assert.equal(metadata.mode, mode);
      assert.deepEqual(classifierProbabilities(back, testSet), p, 'bit-identical predictions after save/load');
      disposeClassifier(back);
      disposeClassifier(c);
      assert.equal(tf.memory().numTensors, before, `${mode}: tensors leaked`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fitClassifier refuses a single class and mismatched labels', () => {
  const enc = createEncoder({ arch: 'smallcnn', width: 2, inputSize: 16 });
  const one = squares(4, 0, 1);
  assert.throws(() => fitClassifier(enc, one, 2, { mode: 'linear' }), (e: Error) => e instanceof ClassifierError && /single class/.test(e.message));
  assert.throws(() => fitClassifier(enc, { ...one, labels: new Int32Array(3) }, 2, { mode: 'linear' }), /4 images but 3 labels/);
  enc.dispose();
});

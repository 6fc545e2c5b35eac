import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../models/registerGradients.js';
import { createHead } from './createHead.js';
import { simclrProjection, mocoV2Projection, byolProjection, byolPrediction, simsiamPrediction } from './presets.js';
import { ParamStore } from '../models/paramStore.js';
import { SslConfigError } from '../methods/errors.js';
import { Rng } from '../augment/rng.js';

await tf.setBackend('cpu');

const rng = new Rng(8);
const xData = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => rng.normal()));

/** Naive per-element forward of Linear(+bias)–[BN (batch stats)]–[ReLU] blocks from the stored weights. */
function naiveHead(x: number[][], blocks: Array<{ w: number[][]; b?: number[]; gamma?: number[]; beta?: number[]; relu: boolean }>): number[][] {
  let h = x;
  for (const blk of blocks) {
    const out = blk.w[0]!.length;
    let y = h.map((row) => Array.from({ length: out }, (_, j) => row.reduce((s, v, i) => s + v * blk.w[i]![j]!, blk.b ? blk.b[j]! : 0)));
    if (blk.gamma) {
      const n = y.length;
      y = y.map((row) => row.map((v, j) => {
        const mean = y.reduce((s, r) => s + r[j]!, 0) / n;
        const variance = y.reduce((s, r) => s + (r[j]! - mean) ** 2, 0) / n;
        return ((v - mean) / Math.sqrt(variance + 1e-5)) * blk.gamma![j]! + blk.beta![j]!;
      }));
    }
    h = blk.relu ? y.map((r) => r.map((v) => Math.max(0, v))) : y;
  }
  return h;
}

test('a SimCLR head (Linear–BN–ReLU–Linear) matches a naive forward; names follow the spec', () => {
  const store = new ParamStore(1);
  const head = createHead(simclrProjection(6, 7, 3), store, 'projector');
  assert.deepEqual([...store.trainable.keys()], [
    'projector/block0/linear/kernel', 'projector/block0/norm/gamma', 'projector/block0/norm/beta',
    'projector/block1/linear/kernel', 'projector/block1/linear/bias',
  ]);
  const get = (n: string) => store.trainable.get(n)!.arraySync() as never;
  store.trainable.get('projector/block0/norm/gamma')!.assign(tf.tensor1d([0.5, 1, 2, -1, 1, 1.5, 0.2]));
  const want = naiveHead(xData, [
    { w: get('projector/block0/linear/kernel'), gamma: get('projector/block0/norm/gamma'), beta: get('projector/block0/norm/beta'), relu: true },
    { w: get('projector/block1/linear/kernel'), b: get('projector/block1/linear/bias'), relu: false },
  ]);
  const got = head(tf.tensor2d(xData), true).arraySync();
  for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(got[i]![j]! - want[i]![j]!) < 1e-4, `${got[i]![j]} vs ${want[i]![j]}`);
  assert.equal(store.state.size, 2);
  store.dispose();
});

test('a MoCo v2 head (Linear–ReLU–Linear with biases) matches a naive forward', () => {
  const store = new ParamStore(2);
  const head = createHead(mocoV2Projection(6, 4, 2), store, 'projector');
  const get = (n: string) => store.trainable.get(n)!.arraySync() as never;
  const want = naiveHead(xData, [
    { w: get('projector/block0/linear/kernel'), b: get('projector/block0/linear/bias'), relu: true },
    { w: get('projector/block1/linear/kernel'), b: get('projector/block1/linear/bias'), relu: false },
  ]);
  const got = head(tf.tensor2d(xData), false).arraySync();
  for (let i = 0; i < 5; i++) for (let j = 0; j < 2; j++) assert.ok(Math.abs(got[i]![j]! - want[i]![j]!) < 1e-5);
  store.dispose();
});

test('preset heads have the papers\' default sizes', () => {
  assert.deepEqual(simclrProjection().map((b) => [b.in, b.out]), [[2048, 2048], [2048, 128]]);
  assert.deepEqual(mocoV2Projection().map((b) => [b.in, b.out]), [[2048, 2048], [2048, 128]]);
  assert.deepEqual(byolProjection().map((b) => [b.in, b.out]), [[2048, 4096], [4096, 256]]);
  assert.deepEqual(byolPrediction().map((b) => [b.in, b.out]), [[256, 4096], [4096, 256]]);
  assert.deepEqual(simsiamPrediction().map((b) => [b.in, b.out]), [[2048, 512], [512, 2048]]);
});

test('inconsistent head specs and inputs are refused with the block named', () => {
  const store = new ParamStore(3);
  assert.throws(() => createHead([{ in: 4, out: 8 }, { in: 7, out: 2 }], store, 'projector'), /projector\/block1: in = 7 .* out = 8/);
  assert.throws(() => createHead([], store, 'predictor'), SslConfigError);
  const head = createHead([{ in: 4, out: 2 }], store, 'p');
  assert.throws(() => head(tf.zeros([3, 5]) as tf.Tensor2D, true), /expected input \[N,4\]/);
  store.dispose();
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../models/registerGradients.js';
import { byolLoss } from './byol.js';
import { Rng } from '../augment/rng.js';
import { torchLosses } from './reference/torchReference.js';

await tf.setBackend('cpu');

const randMatrix = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

/** BYOL Eq. (2): ‖q̄ − z̄'‖², each side normalised, averaged over the batch, plus the swapped term. */
function naiveByol(p1: number[][], p2: number[][], t1: number[][], t2: number[][]): number {
  const term = (p: number[][], t: number[][]) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const np = Math.hypot(...p[i]!), nt = Math.hypot(...t[i]!);
      for (let j = 0; j < p[i]!.length; j++) s += (p[i]![j]! / np - t[i]![j]! / nt) ** 2;
    }
    return s / p.length;
  };
  return term(p1, t2) + term(p2, t1);
}

test('BYOL loss matches the naive formula and PyTorch (2 − 2·cosine) on random inputs', () => {
  const rng = new Rng(21);
  const ours: number[] = [], cases: Array<{ loss: string; args: Record<string, unknown> }> = [];
  for (const [n, d] of [[4, 8], [1, 3], [9, 17]] as const) {
    const [p1, p2, t1, t2] = [0, 1, 2, 3].map(() => randMatrix(rng, n, d)) as [number[][], number[][], number[][], number[][]];
    const got = byolLoss()(tf.tensor2d(p1), tf.tensor2d(p2), tf.tensor2d(t1), tf.tensor2d(t2)).dataSync()[0]!;
    const want = naiveByol(p1, p2, t1, t2);
    assert.ok(Math.abs(got - want) < 1e-5, `naive: ${got} vs ${want}`);
    ours.push(got);
    cases.push({ loss: 'byol', args: { p1, p2, t1, t2 } });
  }
  torchLosses(cases).forEach((torch, i) => assert.ok(Math.abs(ours[i]! - torch) < 1e-5, `torch: ${ours[i]} vs ${torch}`));
});

test('BYOL loss closed forms: aligned predictions give 0, opposite ones give 8', () => {
  const t = tf.tensor2d([[1, 2, 3], [-1, 0, 4]]);
  const loss = byolLoss();
  assert.ok(Math.abs(loss(tf.mul(t, 3) as tf.Tensor2D, t, t, tf.mul(t, 0.5) as tf.Tensor2D).dataSync()[0]!) < 1e-6);
  assert.ok(Math.abs(loss(tf.neg(t) as tf.Tensor2D, tf.neg(t) as tf.Tensor2D, t, t).dataSync()[0]! - 8) < 1e-5);
});

test('BYOL loss gradient w.r.t. the prediction is finite and non-zero', () => {
  const rng = new Rng(22);
  const [p2, t1, t2] = [0, 1, 2].map(() => tf.tensor2d(randMatrix(rng, 4, 5))) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const loss = byolLoss();
  const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, p2, t1, t2))(tf.tensor2d(randMatrix(rng, 4, 5)));
  const v = Array.from(g.dataSync());
  assert.ok(v.every(Number.isFinite) && v.some((x) => Math.abs(x) > 1e-6));
});

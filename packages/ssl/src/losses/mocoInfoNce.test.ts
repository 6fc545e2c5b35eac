import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../models/registerGradients.js';
import { mocoInfoNceLoss } from './mocoInfoNce.js';
import { SslConfigError } from '../methods/errors.js';
import { Rng } from '../augment/rng.js';
import { torchLosses } from './reference/torchReference.js';

await tf.setBackend('cpu');

const randMatrix = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
const unit = (v: number[]) => { const s = Math.hypot(...v); return v.map((x) => x / s); };
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** MoCo Eq. (1): −log(exp(q·k+/τ) / Σ_{i=0..K} exp(q·k_i/τ)), one positive and K queue negatives. */
function naiveMoco(q: number[][], k: number[][], queue: number[][], tau: number): number {
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    const qi = unit(q[i]!);
    const pos = Math.exp(dot(qi, unit(k[i]!)) / tau);
    let denom = pos;
    for (const negative of queue) denom += Math.exp(dot(qi, unit(negative)) / tau);
    total += -Math.log(pos / denom);
  }
  return total / q.length;
}

test('MoCo InfoNCE matches the naive loop and PyTorch on random inputs', () => {
  const rng = new Rng(11);
  const ours: number[] = [], cases: Array<{ loss: string; args: Record<string, unknown> }> = [];
  for (const [n, d, kq, tau] of [[4, 8, 16, 0.2], [3, 5, 7, 0.07], [8, 16, 32, 1]] as const) {
    const q = randMatrix(rng, n, d), k = randMatrix(rng, n, d), queue = randMatrix(rng, kq, d);
    const got = mocoInfoNceLoss({ temperature: tau })(tf.tensor2d(q), tf.tensor2d(k), tf.tensor2d(queue)).dataSync()[0]!;
    const want = naiveMoco(q, k, queue, tau);
    assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, want), `naive: ${got} vs ${want}`);
    ours.push(got);
    cases.push({ loss: 'moco', args: { q, k, queue, temperature: tau } });
  }
  torchLosses(cases).forEach((torch, i) => assert.ok(Math.abs(ours[i]! - torch) <= 1e-5 * Math.max(1, torch), `torch: ${ours[i]} vs ${torch}`));
});

test('MoCo InfoNCE closed form: q = k and queue orthogonal to q gives −log(e^{1/τ}/(e^{1/τ}+K))', () => {
  const tau = 0.2;
  const q = tf.tensor2d([[1, 0, 0], [1, 0, 0]]);
  const queue = tf.tensor2d([[0, 1, 0], [0, 0, 1], [0, -1, 0], [0, 0, 2]]);
  const got = mocoInfoNceLoss({ temperature: tau })(q, q, queue).dataSync()[0]!;
  const e = Math.exp(1 / tau);
  assert.ok(Math.abs(got + Math.log(e / (e + 4))) < 1e-6, `${got}`);
});

test('MoCo InfoNCE refuses a bad temperature and a queue of the wrong width', () => {
  assert.throws(() => mocoInfoNceLoss({ temperature: 0 }), SslConfigError);
  const q = tf.zeros([2, 3]) as tf.Tensor2D;
  assert.throws(() => mocoInfoNceLoss()(q, q, tf.zeros([4, 5]) as tf.Tensor2D), /queue must be \[K,3\]/);
});

test('MoCo InfoNCE gradient w.r.t. q is finite and non-zero', () => {
  const rng = new Rng(12);
  const k = tf.tensor2d(randMatrix(rng, 4, 6)), queue = tf.tensor2d(randMatrix(rng, 8, 6));
  const loss = mocoInfoNceLoss();
  const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, k, queue))(tf.tensor2d(randMatrix(rng, 4, 6)));
  const v = Array.from(g.dataSync());
  assert.ok(v.every(Number.isFinite) && v.some((x) => Math.abs(x) > 1e-6));
});

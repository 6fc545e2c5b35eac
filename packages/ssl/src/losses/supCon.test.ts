import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../models/registerGradients.js';
import { supConLoss } from './supCon.js';
import { ntXentLoss } from './ntXent.js';
import { SslConfigError } from '../methods/errors.js';
import { Rng } from '../augment/rng.js';
import { torchLosses } from './reference/torchReference.js';

await tf.setBackend('cpu');

const randMatrix = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

/** SupCon Eq. (2), L^sup_out, with explicit sets P(i) and A(i). */
function naiveSupCon(z1: number[][], z2: number[][], labels: number[], tau: number): number {
  const z = [...z1, ...z2].map((v) => { const s = Math.hypot(...v); return v.map((x) => x / s); });
  const y = [...labels, ...labels];
  const dot = (a: number[], b: number[]) => a.reduce((s, x, t) => s + x * b[t]!, 0);
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const A = z.map((_, a) => a).filter((a) => a !== i);
    const P = A.filter((p) => y[p] === y[i]);
    const denom = A.reduce((s, a) => s + Math.exp(dot(z[i]!, z[a]!) / tau), 0);
    let sum = 0;
    for (const p of P) sum += Math.log(Math.exp(dot(z[i]!, z[p]!) / tau) / denom);
    total += -sum / P.length;
  }
  return total / z.length;
}

test('SupCon matches the naive Eq. (2) loop and the reference PyTorch SupConLoss', () => {
  const rng = new Rng(31);
  const ours: number[] = [], cases: Array<{ loss: string; args: Record<string, unknown> }> = [];
  for (const [n, d, classes, tau] of [[6, 8, 2, 0.1], [8, 4, 3, 0.5], [5, 6, 5, 0.07]] as const) {
    const z1 = randMatrix(rng, n, d), z2 = randMatrix(rng, n, d);
    const labels = Array.from({ length: n }, () => Math.floor(rng.next() * classes));
    const got = supConLoss({ temperature: tau })(tf.tensor2d(z1), tf.tensor2d(z2), tf.tensor1d(labels, 'int32')).dataSync()[0]!;
    const want = naiveSupCon(z1, z2, labels, tau);
    assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, want), `naive: ${got} vs ${want}`);
    ours.push(got);
    cases.push({ loss: 'supcon', args: { z1, z2, labels, temperature: tau } });
  }
  torchLosses(cases).forEach((torch, i) => assert.ok(Math.abs(ours[i]! - torch) <= 1e-5 * Math.max(1, torch), `torch: ${ours[i]} vs ${torch}`));
});

test('SupCon without labels (or with all-distinct labels) equals NT-Xent at the same temperature', () => {
  const rng = new Rng(32);
  for (const tau of [0.1, 0.5]) {
    const z1 = tf.tensor2d(randMatrix(rng, 7, 5)), z2 = tf.tensor2d(randMatrix(rng, 7, 5));
    const nt = ntXentLoss({ temperature: tau })(z1, z2).dataSync()[0]!;
    const sc = supConLoss({ temperature: tau })(z1, z2).dataSync()[0]!;
    const distinct = supConLoss({ temperature: tau })(z1, z2, tf.tensor1d([9, 3, 4, 0, 1, 2, 7], 'int32')).dataSync()[0]!;
    assert.ok(Math.abs(nt - sc) < 1e-5, `τ=${tau}: ntxent ${nt} vs supcon ${sc}`);
    assert.ok(Math.abs(nt - distinct) < 1e-5, `τ=${tau}: ntxent ${nt} vs supcon(distinct) ${distinct}`);
  }
});

test('SupCon refuses a bad temperature and labels of the wrong length', () => {
  assert.throws(() => supConLoss({ temperature: -1 }), /illegal temperature -1/);
  const z = tf.zeros([3, 2]) as tf.Tensor2D;
  assert.throws(() => supConLoss()(z, z, tf.tensor1d([0, 1], 'int32')), SslConfigError);
});

test('SupCon gradient is finite and non-zero', () => {
  const rng = new Rng(33);
  const z2 = tf.tensor2d(randMatrix(rng, 4, 6));
  const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
  const loss = supConLoss();
  const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, z2, labels))(tf.tensor2d(randMatrix(rng, 4, 6)));
  const v = Array.from(g.dataSync());
  assert.ok(v.every(Number.isFinite) && v.some((x) => Math.abs(x) > 1e-6));
});

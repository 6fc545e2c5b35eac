import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../models/registerGradients.js';
import { ntXentLoss } from './ntXent.js';
import { SslConfigError } from '../methods/errors.js';
import { Rng } from '../augment/rng.js';
import { torchLosses } from './reference/torchReference.js';

await tf.setBackend('cpu');

const randMatrix = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

/** SimCLR Eq. (1), literally: loops over anchors, cosine similarity, sum over k ≠ i. */
function naiveNtXent(z1: number[][], z2: number[][], tau: number): number {
  const z = [...z1, ...z2];
  const n = z1.length;
  const cos = (a: number[], b: number[]) => {
    let ab = 0, aa = 0, bb = 0;
    for (let t = 0; t < a.length; t++) { ab += a[t]! * b[t]!; aa += a[t]! * a[t]!; bb += b[t]! * b[t]!; }
    return ab / Math.sqrt(aa * bb);
  };
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const j = i < n ? i + n : i - n;
    let denom = 0;
    for (let k = 0; k < 2 * n; k++) if (k !== i) denom += Math.exp(cos(z[i]!, z[k]!) / tau);
    total += -Math.log(Math.exp(cos(z[i]!, z[j]!) / tau) / denom);
  }
  return total / (2 * n);
}

test('ntXent matches the naive loop from the paper on random inputs', () => {
  const rng = new Rng(1);
  for (const [n, d, tau] of [[4, 8, 0.5], [7, 3, 0.1], [1, 5, 0.2], [16, 32, 1.0]] as const) {
    const a = randMatrix(rng, n, d);
    const b = randMatrix(rng, n, d);
    const got = ntXentLoss({ temperature: tau })(tf.tensor2d(a), tf.tensor2d(b)).dataSync()[0]!;
    const want = naiveNtXent(a, b, tau);
    assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `n=${n} τ=${tau}: ${got} vs ${want}`);
  }
});

test('ntXent matches PyTorch (F.cross_entropy with the diagonal masked)', () => {
  const rng = new Rng(2);
  const a = randMatrix(rng, 6, 10);
  const b = randMatrix(rng, 6, 10);
  const got = ntXentLoss({ temperature: 0.3 })(tf.tensor2d(a), tf.tensor2d(b)).dataSync()[0]!;
  const [want] = torchLosses([{ loss: 'ntxent', args: { z1: a, z2: b, temperature: 0.3 } }]) as [number];
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs torch ${want}`);
});

test('ntXent of identical embeddings is log(2N−1) at any temperature', () => {
  for (const [n, tau] of [[4, 0.5], [8, 0.1], [3, 2]] as const) {
    const z = tf.tile(tf.tensor2d([[0.3, -1.2, 2.0]]), [n, 1]) as tf.Tensor2D;
    const got = ntXentLoss({ temperature: tau })(z, z).dataSync()[0]!;
    assert.ok(Math.abs(got - Math.log(2 * n - 1)) < 1e-5, `n=${n} τ=${tau}: ${got}`);
  }
});

test('ntXent refuses a non-positive or tiny temperature, naming the value', () => {
  for (const t of [0, -0.5, 1e-9, Number.NaN]) {
    assert.throws(() => ntXentLoss({ temperature: t }), (e: Error) => e instanceof SslConfigError && e.message.includes(String(t)));
  }
});

test('ntXent gradient is finite and non-zero, and the loss leaks no tensor', () => {
  const rng = new Rng(3);
  const z1 = tf.tensor2d(randMatrix(rng, 4, 6));
  const z2 = tf.tensor2d(randMatrix(rng, 4, 6));
  const loss = ntXentLoss();
  const before = tf.memory().numTensors;
  const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, z2))(z1);
  const v = Array.from(g.dataSync());
  g.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(v.every(Number.isFinite));
  assert.ok(v.some((x) => Math.abs(x) > 1e-6));
});

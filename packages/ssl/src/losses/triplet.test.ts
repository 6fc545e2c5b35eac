import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../models/registerGradients.js';
import { tripletLoss } from './triplet.js';
import { SslConfigError } from '../methods/errors.js';
import { Rng } from '../augment/rng.js';

await tf.setBackend('cpu');

const randMatrix = (rng: Rng, n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

function distances(emb: number[][]): number[][] {
  const z = emb.map((v) => { const s = Math.hypot(...v); return v.map((x) => x / s); });
  return z.map((a) => z.map((b) => Math.sqrt(a.reduce((s, x, t) => s + (x - b[t]!) ** 2, 0))));
}

/** Hermans et al. Eq. (5): per anchor, hardest positive and hardest negative. */
function naiveBatchHard(emb: number[][], y: number[], margin: number): number {
  const d = distances(emb);
  let total = 0, count = 0;
  for (let a = 0; a < y.length; a++) {
    let hp = -Infinity, hn = Infinity;
    for (let j = 0; j < y.length; j++) {
      if (j !== a && y[j] === y[a]) hp = Math.max(hp, d[a]![j]!);
      if (y[j] !== y[a]) hn = Math.min(hn, d[a]![j]!);
    }
    if (hp === -Infinity || hn === Infinity) continue;
    total += Math.max(0, margin + hp - hn);
    count++;
  }
  return count ? total / count : 0;
}

/** FaceNet semi-hard: for each (a,p), the closest negative farther than p, else the farthest negative. */
function naiveSemiHard(emb: number[][], y: number[], margin: number): number {
  const d = distances(emb);
  let total = 0, count = 0;
  for (let a = 0; a < y.length; a++) {
    const negatives = y.map((_, j) => j).filter((j) => y[j] !== y[a]);
    if (negatives.length === 0) continue;
    for (let p = 0; p < y.length; p++) {
      if (p === a || y[p] !== y[a]) continue;
      const farther = negatives.filter((n) => d[a]![n]! > d[a]![p]!);
      const dn = farther.length ? Math.min(...farther.map((n) => d[a]![n]!)) : Math.max(...negatives.map((n) => d[a]![n]!));
      total += Math.max(0, margin + d[a]![p]! - dn);
      count++;
    }
  }
  return count ? total / count : 0;
}

test('triplet batch-hard and semi-hard match naive loops on random inputs', () => {
  const rng = new Rng(41);
  for (const [m, d, classes, margin] of [[8, 4, 2, 0.2], [12, 6, 3, 0.5], [9, 3, 4, 1.0], [6, 5, 6, 0.2]] as const) {
    const emb = randMatrix(rng, m, d);
    const y = Array.from({ length: m }, () => Math.floor(rng.next() * classes));
    const e = tf.tensor2d(emb), l = tf.tensor1d(y, 'int32');
    const hard = tripletLoss({ margin, mining: 'batch-hard' })(e, l).dataSync()[0]!;
    const semi = tripletLoss({ margin, mining: 'semi-hard' })(e, l).dataSync()[0]!;
    assert.ok(Math.abs(hard - naiveBatchHard(emb, y, margin)) < 1e-5, `batch-hard ${hard} vs ${naiveBatchHard(emb, y, margin)}`);
    assert.ok(Math.abs(semi - naiveSemiHard(emb, y, margin)) < 1e-5, `semi-hard ${semi} vs ${naiveSemiHard(emb, y, margin)}`);
  }
});

test('semi-hard mining processed in anchor blocks gives the same loss and gradient as in one block', () => {
  const rng = new Rng(43);
  const emb = randMatrix(rng, 12, 5);
  const y = Array.from({ length: 12 }, () => Math.floor(rng.next() * 3));
  const l = tf.tensor1d(y, 'int32');
  for (const maxChunkElements of [1, 300, 1 << 22]) {
    const loss = tripletLoss({ mining: 'semi-hard', margin: 0.5, maxChunkElements });
    const got = loss(tf.tensor2d(emb), l).dataSync()[0]!;
    assert.ok(Math.abs(got - naiveSemiHard(emb, y, 0.5)) < 1e-5, `chunk ${maxChunkElements}: ${got}`);
  }
  const grad = (c: number) => Array.from(tf.grad((x: tf.Tensor) => tripletLoss({ mining: 'semi-hard', margin: 0.5, maxChunkElements: c })(x as tf.Tensor2D, l))(tf.tensor2d(emb)).dataSync());
  const whole = grad(1 << 22), blocks = grad(300);
  whole.forEach((g, i) => assert.ok(Math.abs(g - blocks[i]!) < 1e-6));
});

test('triplet closed form: two tight classes at opposite poles give zero loss; collapsed ones give the margin', () => {
  const emb = tf.tensor2d([[1, 0.01], [1, -0.01], [-1, 0.01], [-1, -0.01]]);
  const y = tf.tensor1d([0, 0, 1, 1], 'int32');
  assert.equal(tripletLoss({ margin: 0.2 })(emb, y).dataSync()[0], 0);
  const same = tf.tensor2d([[1, 1], [1, 1], [1, 1], [1, 1]]);
  assert.ok(Math.abs(tripletLoss({ margin: 0.3 })(same, y).dataSync()[0]! - 0.3) < 1e-5);
  assert.ok(Math.abs(tripletLoss({ margin: 0.3, mining: 'semi-hard' })(same, y).dataSync()[0]! - 0.3) < 1e-5);
});

test('triplet refuses a negative margin and unknown mining', () => {
  assert.throws(() => tripletLoss({ margin: -0.1 }), /margin = -0.1/);
  assert.throws(() => tripletLoss({ mining: 'easy' as never }), SslConfigError);
});

test('triplet gradient is finite and non-zero', () => {
  const rng = new Rng(42);
  const y = tf.tensor1d([0, 1, 0, 1, 2, 2], 'int32');
  for (const mining of ['batch-hard', 'semi-hard'] as const) {
    const loss = tripletLoss({ mining, margin: 1 });
    const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, y))(tf.tensor2d(randMatrix(rng, 6, 4)));
    const v = Array.from(g.dataSync());
    assert.ok(v.every(Number.isFinite) && v.some((x) => Math.abs(x) > 1e-6), mining);
  }
});

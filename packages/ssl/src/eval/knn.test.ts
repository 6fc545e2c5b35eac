import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { accuracy, knnClassify } from './knn.js';
import { Rng } from '../augment/rng.js';

await tf.setBackend('cpu');

/** Written from the InstDisc/DINO description with plain loops and float64. */
function naiveKnn(bank: number[][], labels: number[], queries: number[][], k: number, t: number, c: number) {
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return v.map((x) => x / n);
  };
  const b = bank.map(unit);
  return queries.map((q0) => {
    const q = unit(q0);
    const sims = b.map((r, i) => ({ s: r.reduce((s, x, j) => s + x * q[j]!, 0), i }));
    sims.sort((u, v) => v.s - u.s);
    const votes = new Array<number>(c).fill(0);
    for (const { s, i } of sims.slice(0, k)) votes[labels[i]!]! += Math.exp(s / t);
    const total = votes.reduce((a, v) => a + v, 0);
    return { pred: votes.indexOf(Math.max(...votes)), scores: votes.map((v) => v / total) };
  });
}

test('kNN matches a naive loop (cosine, top-k, exp(s/T) votes), across chunk boundaries', () => {
  const rng = new Rng(11);
  const n = 60;
  const m = 37;
  const d = 8;
  const c = 4;
  const centers = Array.from({ length: c }, () => Array.from(rng.normals(d)));
  const labels = Array.from({ length: n }, (_, i) => i % c);
  const bank = labels.map((l) => centers[l]!.map((x) => x + 1.2 * rng.normal()));
  const ql = Array.from({ length: m }, () => Math.floor(rng.next() * c));
  const queries = ql.map((l) => centers[l]!.map((x) => x + 1.2 * rng.normal()));
  const bankT = tf.tensor2d(bank);
  const qT = tf.tensor2d(queries);
  for (const [k, temperature] of [[20, 0.07], [5, 0.5], [1, 0.1]] as const) {
    const before = tf.memory().numTensors;
    const r = knnClassify(bankT, Int32Array.from(labels), qT, { k, temperature, chunk: 10 });
    assert.equal(tf.memory().numTensors, before);
    const ref = naiveKnn(bank, labels, queries, k, temperature, c);
    ref.forEach((e, i) => {
      assert.equal(r.predictions[i], e.pred, `k=${k} query ${i}`);
      e.scores.forEach((s, j) => assert.ok(Math.abs(r.scores[i * c + j]! - s) < 1e-4, `k=${k} q${i} class ${j}: ${r.scores[i * c + j]} vs ${s}`));
    });
  }
  const acc = accuracy(knnClassify(bankT, Int32Array.from(labels), qT).predictions, ql);
  assert.ok(acc > 0.5, `clustered data should be classified well above chance (0.25), got ${acc}`);
  tf.dispose([bankT, qT]);
});

test('kNN refuses mismatched inputs', () => {
  const b = tf.ones([3, 2]) as tf.Tensor2D;
  const q = tf.ones([1, 3]) as tf.Tensor2D;
  assert.throws(() => knnClassify(b, new Int32Array([0, 1]), b), /3 rows but 2 labels/);
  assert.throws(() => knnClassify(b, new Int32Array([0, 1, 0]), q), /dimension 3, the bank 2/);
  assert.throws(() => knnClassify(b, new Int32Array([0, 1, 0]), b, { temperature: 0 }), /temperature/);
  tf.dispose([b, q]);
});

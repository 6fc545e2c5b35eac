import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createMethod } from './createMethod.js';
import type { MethodConfig, SslMethod } from './types.js';
import { Rng } from '../augment/rng.js';
import { WeightMismatchError } from './errors.js';
import { byolTau } from './byol.js';

await tf.setBackend('cpu');

const N = 8, S = 16;
const tiny = { arch: 'smallcnn', width: 4, inputSize: S } as const;

/** Eight 16×16 images with distinct blob positions, and a shifted, noisier second view of each. */
function dummyViews(seed: number): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D] {
  const rng = new Rng(seed);
  const v1 = new Float32Array(N * S * S), v2 = new Float32Array(N * S * S);
  for (let i = 0; i < N; i++) {
    const cy = 3 + (i % 4) * 3, cx = 3 + Math.floor(i / 4) * 8;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const blob = (dy: number) => Math.exp(-((y - cy - dy) ** 2 + (x - cx) ** 2) / 6);
      v1[(i * S + y) * S + x] = blob(0) + 0.05 * rng.normal();
      v2[(i * S + y) * S + x] = blob(1) + 0.05 * rng.normal();
    }
  }
  const labels = tf.tensor1d([0, 0, 1, 1, 0, 0, 1, 1], 'int32');
  return [tf.tensor4d(v1, [N, S, S, 1]), tf.tensor4d(v2, [N, S, S, 1]), labels];
}

/** Runs `steps` Adam steps; returns the losses and numTensors after each step. */
function train(method: SslMethod, steps: number, lr = 3e-3) {
  const [v1, v2, labels] = dummyViews(1);
  const opt = tf.train.adam(lr);
  const losses: number[] = [], tensors: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(() => method.loss(v1, v2, labels), method.trainableVariables());
    opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    method.afterStep(s, steps);
    losses.push(value.dataSync()[0]!);
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    tensors.push(tf.memory().numTensors);
  }
  opt.dispose();
  [v1, v2, labels].forEach((t) => t.dispose());
  return { losses, tensors };
}

const configs: MethodConfig[] = [
  { method: 'simclr', encoder: tiny },
  { method: 'moco', encoder: tiny, queueSize: 16 },
  { method: 'byol', encoder: tiny },
  { method: 'supcon', encoder: tiny },
  { method: 'triplet', encoder: tiny, margin: 0.5 },
  { method: 'triplet', encoder: tiny, margin: 0.5, mining: 'semi-hard' },
];

for (const config of configs) {
  test(`${config.method}${'mining' in config ? ` (${config.mining})` : ''}: loss falls over a few steps on dummy data, tensor count flat`, () => {
    const method = createMethod(config);
    const { losses, tensors } = train(method, 8);
    assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
    // MoCo's first two steps see the random initial queue; compare once it holds real keys.
    const w = config.method === 'moco' ? 2 : 0;
    const first = (losses[w]! + losses[w + 1]!) / 2, last = (losses[6]! + losses[7]!) / 2;
    assert.ok(last < first * 0.97, `loss did not fall: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    assert.deepEqual(tensors.slice(2), Array(tensors.length - 2).fill(tensors[2]), `tensor count grew: ${tensors}`);
    method.dispose();
  });
}

test('SimCLR on the ResNet-18 layout trains too (width 4, 16²)', () => {
  const method = createMethod({ method: 'simclr', encoder: { arch: 'resnet18', width: 4, inputSize: S } });
  const { losses, tensors } = train(method, 3, 1e-2);
  assert.ok(losses[2]! < losses[0]!, `losses ${losses}`);
  assert.equal(tensors[2], tensors[1]);
  method.dispose();
});

test('weights split: encoder federates; heads, target net and queue stay local; names unique', () => {
  const moco = createMethod({ method: 'moco', encoder: tiny, queueSize: 16 });
  const { federated, local } = moco.weights();
  assert.ok([...federated.keys()].every((n) => n.startsWith('encoder/')));
  assert.deepEqual([...federated.keys()], [...moco.encoder.weights().federated.keys()]);
  assert.ok(local.has('queue') && local.get('queue')!.shape.join() === '16,128');
  assert.ok(local.has('projector/block0/linear/kernel'));
  assert.ok(local.has('target/encoder/conv1/kernel') && local.has('target/projector/block1/linear/bias'));
  assert.ok([...federated.keys()].every((n) => !local.has(n)));
  // trainable = online encoder + projector, never the target or queue
  assert.equal(moco.trainableVariables().length, federated.size + [...local.keys()].filter((n) => n.startsWith('projector/')).length);
  moco.dispose();
  const byol = createMethod({ method: 'byol', encoder: tiny });
  assert.ok(byol.weights().local.has('predictor/block0/norm/moving_mean'));
  byol.dispose();
});

test('target network starts as an exact copy of the online network', () => {
  const byol = createMethod({ method: 'byol', encoder: tiny, seed: 4 });
  const { federated, local } = byol.weights();
  for (const [name, t] of local) {
    if (!name.startsWith('target/')) continue;
    const src = federated.get(name.slice(7)) ?? local.get(name.slice(7))!;
    assert.deepEqual(t.dataSync(), src.dataSync(), name);
  }
  byol.dispose();
});

test('setWeights round-trips federated and local weights between two instances, and refuses mismatches', () => {
  const a = createMethod({ method: 'byol', encoder: tiny, seed: 1 });
  const b = createMethod({ method: 'byol', encoder: tiny, seed: 2 });
  train(a, 1);
  const snapshot = (m: SslMethod) => {
    const w = m.weights();
    const copy = (map: Map<string, tf.Tensor>) => new Map([...map].map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
    return { federated: copy(w.federated), local: copy(w.local) };
  };
  const s = snapshot(a);
  b.setWeights(s.federated, s.local);
  const t = snapshot(b);
  for (const [k, v] of s.federated) assert.deepEqual(t.federated.get(k), v, k);
  for (const [k, v] of s.local) assert.deepEqual(t.local.get(k), v, k);
  const partial = new Map(s.federated);
  partial.delete('encoder/conv1/kernel');
  assert.throws(() => b.setWeights(partial), WeightMismatchError);
  assert.throws(() => b.setWeights(s.federated, new Map([['target/nope', new Float32Array(1)]])), /unknown weight 'target\/nope'/);
  a.dispose();
  b.dispose();
});

test('MoCo afterStep: momentum update m·θk + (1−m)·θq and FIFO enqueue of the normalised keys', () => {
  const moco = createMethod({ method: 'moco', encoder: tiny, queueSize: 12, momentum: 0.9 });
  const [v1, v2] = dummyViews(3);
  const before = moco.weights();
  const queue0 = before.local.get('queue')!.arraySync() as number[][];
  const tk0 = before.local.get('target/encoder/conv2/kernel')!.dataSync().slice();
  // Move the online net so the EMA is visible, then compute the keys the loss will enqueue.
  const online = moco.weights().federated.get('encoder/conv2/kernel')! as tf.Variable;
  online.assign(tf.add(online, 0.5));
  const q0 = online.dataSync().slice();
  moco.loss(v1, v2).dispose();
  moco.afterStep(0, 10);
  const tk1 = moco.weights().local.get('target/encoder/conv2/kernel')!.dataSync();
  for (let i = 0; i < tk1.length; i++) assert.ok(Math.abs(tk1[i]! - (0.9 * tk0[i]! + 0.1 * q0[i]!)) < 1e-6);
  const queue1 = moco.weights().local.get('queue')!.arraySync() as number[][];
  // rows 0..7 replaced by unit-norm keys, rows 8..11 untouched
  for (let r = 0; r < 8; r++) assert.ok(Math.abs(Math.hypot(...queue1[r]!) - 1) < 1e-5 && queue1[r]!.join() !== queue0[r]!.join(), `row ${r}`);
  for (let r = 8; r < 12; r++) assert.deepEqual(queue1[r], queue0[r]);
  // second step wraps around: rows 8..11 and 0..3 get the new keys, rows 4..7 keep step-1 keys
  moco.loss(v1, v2).dispose();
  moco.afterStep(1, 10);
  const queue2 = moco.weights().local.get('queue')!.arraySync() as number[][];
  for (let r = 4; r < 8; r++) assert.deepEqual(queue2[r], queue1[r]);
  for (const r of [8, 9, 10, 11, 0, 1, 2, 3]) assert.notDeepEqual(queue2[r], queue1[r]);
  assert.equal(moco.weights().local.get('queue_pointer')!.dataSync()[0], 4);
  // the pointer is restorable state: set it back to 8 and the next batch overwrites rows 8..11, 0..3 again
  moco.setWeights(moco.weights().federated, new Map([['queue_pointer', new Float32Array([8])]]));
  moco.loss(v1, v2).dispose();
  moco.afterStep(2, 10);
  const queue3 = moco.weights().local.get('queue')!.arraySync() as number[][];
  for (let r = 4; r < 8; r++) assert.deepEqual(queue3[r], queue2[r]);
  assert.equal(moco.weights().local.get('queue_pointer')!.dataSync()[0], 4);
  moco.dispose();
});

test('BYOL τ follows 1 − (1−τ_base)(cos(πk/K)+1)/2 and afterStep applies it as an EMA', () => {
  assert.ok(Math.abs(byolTau(0.996, 0, 100) - 0.996) < 1e-12);
  assert.ok(Math.abs(byolTau(0.996, 50, 100) - 0.998) < 1e-12);
  assert.ok(Math.abs(byolTau(0.996, 100, 100) - 1) < 1e-12);
  const byol = createMethod({ method: 'byol', encoder: tiny, tauBase: 0.9 });
  const online = byol.weights().federated.get('encoder/conv1/kernel') as tf.Variable;
  online.assign(tf.add(online, 1));
  const o = online.dataSync().slice();
  const t0 = byol.weights().local.get('target/encoder/conv1/kernel')!.dataSync().slice();
  byol.afterStep(25, 100);
  const tau = byolTau(0.9, 25, 100);
  const t1 = byol.weights().local.get('target/encoder/conv1/kernel')!.dataSync();
  for (let i = 0; i < t1.length; i++) assert.ok(Math.abs(t1[i]! - (tau * t0[i]! + (1 - tau) * o[i]!)) < 1e-6);
  byol.dispose();
});

test('method configs are validated in one place, naming the key', () => {
  assert.throws(() => createMethod({ method: 'simclr', encoder: tiny, temperature: 0 }), /illegal temperature 0/);
  assert.throws(() => createMethod({ method: 'moco', encoder: tiny, queueSize: 0 }), /queueSize = 0/);
  assert.throws(() => createMethod({ method: 'moco', encoder: tiny, momentum: 1.5 }), /momentum = 1.5/);
  assert.throws(() => createMethod({ method: 'byol', encoder: tiny, tauBase: -1 }), /tauBase = -1/);
  assert.throws(() => createMethod({ method: 'simsiam' } as never), /method = 'simsiam' is unknown/);
  assert.throws(() => createMethod({ method: 'simclr', temprature: 0.1 } as never), /simclr: unknown option\(s\) temprature/);
  assert.throws(() => createMethod({ method: 'moco', encoder: { ...tiny, depth: 50 } } as never), /encoder: unknown option\(s\) depth/);
  assert.throws(() => createMethod({ method: 'simclr', encoder: tiny, projector: [{ in: 5, out: 8 }] }), /projector input 5 must equal .* 32/);
});

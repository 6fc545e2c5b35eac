import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../augment/rng.js';
import { memoryBatchSource, type ImageSet } from './memorySource.js';
import { Trainer, type TrainerOptions } from './trainer.js';
import type { TrainerConfig } from './trainerConfig.js';
import type { TrainProgress } from './progress.js';
import { warmupCosineLr } from './schedule.js';
import { knnMonitorAccuracy } from './knnMonitor.js';
import { noisyViews, tinyMethod } from './testing/tinyMethod.js';
import type { CheckpointManifest } from './checkpoint.js';

await tf.setBackend('cpu');

const SIDE = 4;

/** n images of 4×4×1 in 3 classes (a fixed pattern per class plus noise drawn from `seed`). */
function dataset(n: number, seed: number): ImageSet & { labels: Int32Array } {
  const patternRng = new Rng(1);
  const patterns = [0, 1, 2].map(() => Array.from(patternRng.normals(SIDE * SIDE)));
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const images = new Float32Array(n * SIDE * SIDE);
  labels.forEach((l, i) => patterns[l]!.forEach((v, j) => (images[i * SIDE * SIDE + j] = v + 0.3 * rng.normal())));
  return { images, shape: [n, SIDE, SIDE, 1], labels };
}

const DATA = dataset(24, 1);
const source = () => memoryBatchSource(DATA, 6, 7, 'test-data-v1'); // 4 batches per epoch

function options(config: TrainerConfig, seed = 3): TrainerOptions & { method: ReturnType<typeof tinyMethod> } {
  return { method: tinyMethod(SIDE * SIDE, seed), source: source(), makeViews: noisyViews, config };
}

function snapshot(m: ReturnType<typeof tinyMethod>): Map<string, Buffer> {
  const { federated, local } = m.weights();
  return new Map([...federated, ...local].map(([k, t]) => [k, Buffer.from(t.dataSync().buffer.slice(0))]));
}

const CONFIGS: Record<string, TrainerConfig> = {
  adam: { epochs: 3, optimizer: { kind: 'adam', weightDecay: 0.01 }, lr: 0.05, warmupEpochs: 1, clipNorm: 1, seed: 11 },
  sgd: { epochs: 3, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, lr: 0.1, warmupEpochs: 0.5, minLr: 0.001, seed: 12, fedProxMu: 0.1 },
  lars: { epochs: 3, optimizer: { kind: 'lars', trustCoefficient: 0.01 }, lr: 1, warmupEpochs: 1, seed: 13 },
};

for (const [name, config] of Object.entries(CONFIGS)) {
  test(`resume (${name}): N steps == k steps + checkpoint + fresh trainer + N−k steps, bitwise`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedcl-ckpt-'));
    try {
      const a = options(config);
      const straight = new Trainer(a);
      if (config.fedProxMu) straight.setProxAnchor();
      const ra = await straight.run();
      assert.equal(ra.finished, true);
      assert.equal(ra.step, 12);

      const b = options(config);
      const first = new Trainer({ ...b, checkpointDir: join(dir, 'ckpt') });
      if (config.fedProxMu) first.setProxAnchor();
      const rb = await first.run({ maxSteps: 5 });
      assert.deepEqual([rb.finished, rb.step], [false, 5]);
      first.dispose();
      b.method.dispose();

      const c = options(config, 999); // different init: everything must come from the checkpoint
      const resumed = await Trainer.resume(join(dir, 'ckpt'), c);
      assert.deepEqual(resumed.position, { step: 5, epoch: 1, stepInEpoch: 1 });
      const rc = await resumed.run();
      assert.equal(rc.step, 12);
      assert.deepEqual(snapshot(c.method), snapshot(a.method));
      assert.deepEqual(rc.metrics.epochLoss, ra.metrics.epochLoss);
      for (const t of [straight, resumed]) t.dispose();
      a.method.dispose();
      c.method.dispose();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
}

test('checkpoint manifest records method, config, backend, data, position, optimizer, rng, metrics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ckpt-'));
  try {
    const o = options(CONFIGS.adam!);
    const backend = { name: 'cpu', tfBackend: 'cpu' };
    const t = new Trainer({ ...o, checkpointDir: dir, backend, methodConfig: { method: 'simclr', temperature: 0.5 } });
    await t.run({ maxSteps: 6 });
    const m = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as CheckpointManifest;
    assert.equal(m.method, 'simclr');
    assert.deepEqual(m.methodConfig, { method: 'simclr', temperature: 0.5 });
    assert.deepEqual(m.backend, { name: 'cpu', tfBackend: 'cpu' });
    assert.equal(m.dataFingerprint, 'test-data-v1');
    assert.deepEqual(m.progress, { step: 6, epoch: 1, stepInEpoch: 2, totalSteps: 12 });
    assert.deepEqual(m.optimizer.config, { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 });
    assert.equal(m.optimizer.iterations, 6);
    assert.deepEqual(m.rng, { seed: 11, scheme: 'stepSeed(seed, step)' });
    assert.equal(m.trainer.clipNorm, 1);
    assert.equal(m.metrics.epochLoss.length, 1);
    assert.equal(m.metrics.currentEpoch.steps, 2);
    t.dispose();
    o.method.dispose();

    const other = options(CONFIGS.adam!);
    await assert.rejects(Trainer.resume(dir, { ...other, source: memoryBatchSource(DATA, 6, 7, 'other-data') }), /trained on data test-data-v1/);
    await assert.rejects(Trainer.resume(dir, { ...other, config: { ...CONFIGS.adam!, lr: 0.5 } }), /config differs/);
    await assert.rejects(Trainer.resume(join(dir, 'nope'), other), /checkpoint.json/);
    other.method.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('memory is flat across steps (tf.memory().numTensors)', async () => {
  const o = options(CONFIGS.sgd!);
  const t = new Trainer({ ...o, onProgress: () => counts.push(tf.memory().numTensors) });
  const counts: number[] = [];
  t.setProxAnchor();
  await t.run({ maxSteps: 8 });
  assert.equal(counts.length, 8);
  assert.ok(counts.slice(1).every((c) => c === counts[1]), `numTensors per step: ${counts}`);
  t.dispose();
  o.method.dispose();
});

test('progress: step count, the schedule lr, loss, throughput and ETA reach the end', async () => {
  const o = options(CONFIGS.lars!);
  const seen: TrainProgress[] = [];
  const t = new Trainer({ ...o, onProgress: (p) => seen.push(p) });
  await t.run();
  assert.deepEqual(seen.map((p) => p.step), Array.from({ length: 12 }, (_, i) => i + 1));
  seen.forEach((p, i) => {
    assert.equal(p.lr, warmupCosineLr(i, { baseLr: 1, warmupSteps: 4, totalSteps: 12, minLr: 0 }));
    assert.equal(p.epoch, Math.floor(i / 4));
    assert.ok(Number.isFinite(p.loss) && p.gradNorm > 0);
  });
  assert.ok(seen[5]!.imagesPerSec > 0);
  assert.equal(seen[11]!.etaSeconds, 0);
  t.dispose();
  o.method.dispose();
});

test('FedProx adds exactly μ(w − w_global) to the encoder gradient, nothing to the head', async () => {
  const lr = 0.1;
  const mu = 0.5;
  const base: TrainerConfig = { epochs: 1, optimizer: { kind: 'sgd', momentum: 0 }, lr, seed: 4 };
  const run = async (fedProxMu: number) => {
    const o = options({ ...base, fedProxMu });
    const t = new Trainer(o);
    t.setProxAnchor(); // w_global = initial weights
    const e = o.method.weights().federated.get('encoder/kernel')!;
    const shifted = tf.tidy(() => tf.add(e, tf.reshape(tf.linspace(-1, 1, e.size), e.shape)));
    const wShifted = shifted.dataSync();
    const wGlobal = e.dataSync();
    o.method.setWeights(new Map([['encoder/kernel', shifted]]));
    shifted.dispose();
    await t.run({ maxSteps: 1 });
    const after = snapshot(o.method);
    t.dispose();
    o.method.dispose();
    return { after, wShifted, wGlobal };
  };
  const plain = await run(0);
  const prox = await run(mu);
  const f32 = (b: Buffer) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  const ep = f32(plain.after.get('encoder/kernel')!);
  const eq = f32(prox.after.get('encoder/kernel')!);
  ep.forEach((x, i) => {
    const expected = -lr * mu * (prox.wShifted[i]! - prox.wGlobal[i]!);
    assert.ok(Math.abs(eq[i]! - x - expected) < 1e-6, `encoder[${i}]: ${eq[i]! - x} vs ${expected}`);
  });
  assert.deepEqual(prox.after.get('projector/kernel'), plain.after.get('projector/kernel'));
});

test('kNN monitor runs every E epochs and at the end, on the current encoder', async () => {
  const o = options({ ...CONFIGS.adam!, epochs: 3 });
  const monitor = { bank: dataset(30, 5), queries: dataset(12, 6), every: 2, k: 5 };
  const ends: { epoch: number; knnAccuracy?: number }[] = [];
  const t = new Trainer({ ...o, monitor, onEpochEnd: (e) => ends.push(e) });
  const r = await t.run();
  assert.deepEqual(ends.map((e) => e.epoch), [0, 1, 2]);
  assert.equal(ends[0]!.knnAccuracy, undefined);
  assert.deepEqual(r.metrics.knn.map((k) => k.epoch), [1, 2]);
  assert.equal(ends[2]!.knnAccuracy, knnMonitorAccuracy(o.method.encoder, monitor));
  assert.ok(ends[2]!.knnAccuracy! > 0.5, `3-class clustered data should be well above chance: ${ends[2]!.knnAccuracy}`);
  t.dispose();
  o.method.dispose();
});

test('a diverging loss stops with a message naming step and lr', async () => {
  const o = options(CONFIGS.sgd!);
  const nan = { ...o.method, loss: () => tf.mul(tf.sum(o.method.trainableVariables()[0]!), Number.NaN) as tf.Scalar };
  const t = new Trainer({ ...o, method: nan });
  await assert.rejects(t.run(), /loss is NaN at step 0 \(lr /);
  t.dispose();
  o.method.dispose();
});

test('checkpointEvery saves during the run; an abort signal stops between steps and saves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-ckpt-'));
  try {
    const o = options({ ...CONFIGS.sgd!, checkpointEvery: 3 });
    const ckpt = join(dir, 'ck');
    const savedAt: number[] = [];
    const abort = new AbortController();
    const t = new Trainer({
      ...o,
      checkpointDir: ckpt,
      onProgress: (p) => {
        if (p.step === 4) savedAt.push((JSON.parse(readFileSync(join(ckpt, 'checkpoint.json'), 'utf8')) as CheckpointManifest).progress.step);
        if (p.step === 7) abort.abort();
      },
    });
    const r = await t.run({ signal: abort.signal });
    assert.deepEqual(savedAt, [3]);
    assert.deepEqual([r.finished, r.step], [false, 7]);
    const m = JSON.parse(readFileSync(join(ckpt, 'checkpoint.json'), 'utf8')) as CheckpointManifest;
    assert.equal(m.progress.step, 7);
    t.dispose();
    o.method.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

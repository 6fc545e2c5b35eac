import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './registerGradients.js';
import { createEncoder } from './createEncoder.js';
import type { EncoderConfig } from './types.js';
import { encoderConfig } from './encoderConfig.js';
import { Rng } from '../augment/rng.js';
import { TORCH_PYTHON } from '../losses/reference/torchReference.js';
import { SslConfigError, WeightMismatchError } from '../methods/errors.js';
import { assignByName } from './paramStore.js';

await tf.setBackend('cpu');

const script = fileURLToPath(new URL('./reference/encoder_torch.py', import.meta.url));

interface TorchRequest { config: EncoderConfig; weights: Map<string, tf.Tensor>; x: tf.Tensor4D; training: boolean; probe?: number[] }
interface TorchResult { features: number[]; shape: number[]; state: Record<string, number[]>; grads: Record<string, number[]> }

/** Runs the PyTorch reference encoder on our weights for every request in one process. */
function torchForward(requests: TorchRequest[]): TorchResult[] {
  const payload = requests.map(({ config, weights, x, training, probe }) => {
    const w: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [name, t] of weights) w[name] = { shape: t.shape, data: Array.from(t.dataSync()) };
    return { config, weights: w, x: { shape: x.shape, data: Array.from(x.dataSync()) }, training, ...(probe ? { probe } : {}) };
  });
  const r = spawnSync(TORCH_PYTHON, [script], { input: JSON.stringify(payload), encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `PyTorch reference failed (apt-get install python3-torch): ${r.stderr}`);
  return JSON.parse(r.stdout) as TorchResult[];
}

function randomImages(seed: number, shape: [number, number, number, number]): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next()), shape);
}

/** Perturbs norm scale/offset away from (1, 0) so the comparison exercises them. */
function perturbNorms(weights: Map<string, tf.Variable>, seed: number) {
  const rng = new Rng(seed);
  for (const [name, v] of weights) {
    if (name.endsWith('/gamma') || name.endsWith('/beta')) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => (name.endsWith('gamma') ? 1 : 0) + 0.3 * rng.normal()), v.shape));
  }
}

const cases: Array<[string, Partial<EncoderConfig>, number]> = [
  ['resnet18 gn small stem', { arch: 'resnet18', width: 4, inputSize: 16, norm: 'gn', groups: 2 }, 16],
  ['resnet18 gn imagenet stem', { arch: 'resnet18', width: 4, inputSize: 96, norm: 'gn', groups: 4, stem: 'imagenet' }, 33],
  ['smallcnn gn', { arch: 'smallcnn', width: 4, inputSize: 16, norm: 'gn' }, 16],
  ['resnet18 bn', { arch: 'resnet18', width: 4, inputSize: 16, norm: 'bn' }, 16],
];

// Every encoder and input is built up front so that one PyTorch process answers all the cases.
const prepared = cases.map(([label, partial, size]) => {
  const config = encoderConfig(partial);
  const enc = createEncoder(config, { seed: 3 });
  perturbNorms(enc.weights().federated, 9);
  const x = randomImages(7, [3, size, size, 1]);
  const all = new Map<string, tf.Tensor>([...enc.weights().federated, ...enc.weights().local]);
  const modes = config.norm === 'bn' ? [false, true] : [true];
  return { label, config, enc, x, modes, requests: modes.map((training) => ({ config, weights: all, x, training })) };
});
const gradConfig = encoderConfig({ arch: 'resnet18', width: 4, inputSize: 16, norm: 'gn', groups: 2 });
const gradEnc = createEncoder(gradConfig, { seed: 5 });
perturbNorms(gradEnc.weights().federated, 6);
const gradX = randomImages(8, [2, 16, 16, 1]);
const probeRng = new Rng(10);
const probe = Array.from({ length: 2 * gradEnc.featureDim }, () => probeRng.normal());
const torchResults = torchForward([...prepared.flatMap((p) => p.requests), { config: gradConfig, weights: gradEnc.weights().federated, x: gradX, training: true, probe }]);

let next = 0;
for (const p of prepared) {
  const results = p.modes.map(() => torchResults[next++]!);
  test(`encoder (${p.label}) matches a PyTorch model built from the same named weights`, () => {
    p.modes.forEach((training, k) => {
      const want = results[k]!;
      const got = p.enc.apply(p.x, training);
      assert.deepEqual(got.shape, [3, p.enc.featureDim]);
      assert.deepEqual(want.shape, got.shape);
      const g = got.dataSync();
      const scale = Math.max(...want.features.map(Math.abs));
      for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i]! - want.features[i]!) <= 1e-4 * Math.max(1, scale), `[${i}] ${g[i]} vs torch ${want.features[i]}`);
      for (const [name, values] of Object.entries(want.state)) {
        const ours = p.enc.weights().local.get(name)!.dataSync();
        for (let i = 0; i < values.length; i++) assert.ok(Math.abs(ours[i]! - values[i]!) < 1e-4, `${name}[${i}] ${ours[i]} vs torch ${values[i]}`);
      }
    });
    p.enc.dispose();
  });
}

test('encoder gradients w.r.t. every weight match PyTorch autograd (ResNet-18, GroupNorm)', () => {
  const want = torchResults[torchResults.length - 1]!.grads;
  const names = new Map([...gradEnc.weights().federated].map(([n, v]) => [v.name, n]));
  const probeT = tf.tensor2d(probe, [2, gradEnc.featureDim]);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(gradEnc.apply(gradX, true), probeT)) as tf.Scalar, gradEnc.trainableVariables());
  value.dispose();
  assert.equal(Object.keys(grads).length, Object.keys(want).length);
  for (const [varName, g] of Object.entries(grads)) {
    const name = names.get(varName)!;
    const ours = g.dataSync(), ref = want[name]!;
    const scale = Math.max(1e-3, ...ref.map(Math.abs));
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ours[i]! - ref[i]!) <= 1e-4 * scale, `${name}[${i}]: ${ours[i]} vs torch ${ref[i]}`);
  }
  gradEnc.dispose();
});

test('encoder weight names are stable, unique, and split federated vs BatchNorm running stats', () => {
  const gn = createEncoder({ arch: 'resnet18', width: 4, inputSize: 16 });
  const names = [...gn.weights().federated.keys()];
  assert.ok(names.includes('encoder/stem/conv/kernel'));
  assert.ok(names.includes('encoder/stage1/block0/conv1/kernel'));
  assert.ok(names.includes('encoder/stage2/block0/shortcut/conv/kernel'));
  assert.ok(!names.includes('encoder/stage1/block0/shortcut/conv/kernel'));
  // torchvision resnet18 has 20 convs (17 + 3 shortcuts) and as many norms with 2 params each.
  assert.equal(names.length, 20 + 20 * 2);
  assert.equal(gn.weights().local.size, 0);
  const bn = createEncoder({ arch: 'resnet18', width: 4, inputSize: 16, norm: 'bn' });
  assert.equal(bn.weights().local.size, 20 * 2);
  assert.ok([...bn.weights().local.keys()].every((n) => n.endsWith('/moving_mean') || n.endsWith('/moving_variance')));
  assert.equal(bn.trainableVariables().length, 60);
  gn.dispose();
  bn.dispose();
});

test('same seed gives identical weights; a different seed does not', () => {
  const a = createEncoder({ arch: 'smallcnn', width: 4 }, { seed: 1 });
  const b = createEncoder({ arch: 'smallcnn', width: 4 }, { seed: 1 });
  const c = createEncoder({ arch: 'smallcnn', width: 4 }, { seed: 2 });
  const k = 'encoder/conv2/kernel';
  assert.deepEqual(a.weights().federated.get(k)!.dataSync(), b.weights().federated.get(k)!.dataSync());
  assert.notDeepEqual(a.weights().federated.get(k)!.dataSync(), c.weights().federated.get(k)!.dataSync());
  [a, b, c].forEach((e) => e.dispose());
});

test('config validation and weight assignment errors name the problem', () => {
  assert.throws(() => encoderConfig({ width: 0 }), (e: Error) => e instanceof SslConfigError && /encoder.width = 0/.test(e.message));
  assert.throws(() => encoderConfig({ arch: 'vgg' as never }), /encoder.arch = "vgg"/);
  assert.equal(encoderConfig({ norm: undefined, width: 8 }).norm, 'gn');
  const enc = createEncoder({ arch: 'smallcnn', width: 4 });
  const fed = enc.weights().federated;
  assert.throws(() => assignByName(fed, new Map([['encoder/nope', new Float32Array(1)]]), false), WeightMismatchError);
  assert.throws(() => assignByName(fed, new Map([['encoder/conv1/kernel', new Float32Array(3)]]), false), /expected shape \[3,3,1,4\]/);
  assert.throws(() => assignByName(fed, new Map(), true), /missing/);
  assert.throws(() => enc.apply(tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, false), /\[N,H,W,1\]/);
  enc.dispose();
});

test('encoder forward and gradient leak no tensors; gradients reach every weight', () => {
  const enc = createEncoder({ arch: 'resnet18', width: 4, inputSize: 16 });
  const x = randomImages(1, [2, 16, 16, 1]);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(enc.apply(x, true))) as tf.Scalar, enc.trainableVariables());
  const zero = Object.entries(grads).filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0).map(([n]) => n);
  assert.ok(Number.isFinite(value.dataSync()[0]!));
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(zero, []);
  enc.dispose();
});

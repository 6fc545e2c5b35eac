import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers';
import { installWasmTrainingKernels, restoreShippedWasmKernels } from './installWasmKernels.js';

/**
 * Every fedcl convolution kernel on the wasm backend (fedcl-wasm and onnxruntime-mlas providers)
 * against the tfjs cpu backend's kernels, over seeded random geometries: stride 1 and 2,
 * 'same' / 'valid' / explicit pads, dilation (forward only: tfjs's conv2d gradient requires
 * dilation 1), batch and channel counts. Tolerance: 1e-4 of the reference's largest magnitude.
 */

/** Mulberry32: a small seeded generator so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  batch: number;
  size: [number, number];
  inChannels: number;
  outChannels: number;
  filter: [number, number];
  stride: number;
  dilation: number;
  pad: 'same' | 'valid' | number;
}

function randomCases(seed: number, count: number, allowDilation: boolean): Case[] {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cases: Case[] = [];
  while (cases.length < count) {
    const stride = pick([1, 2]);
    const dilation = allowDilation && stride === 1 ? pick([1, 2]) : 1;
    const k = pick([1, 3, 3, 5]);
    const c: Case = {
      batch: pick([1, 2, 3]),
      size: [4 + Math.floor(r() * 7), 4 + Math.floor(r() * 7)],
      inChannels: pick([1, 2, 3, 5, 8]),
      outChannels: pick([1, 4, 6]),
      filter: [k, pick([k, 3])],
      stride,
      dilation,
      pad: pick(['same', 'valid', 0, 1, 2] as const),
    };
    const span = (c.filter[0] - 1) * dilation + 1;
    if (c.pad === 'valid' && span > c.size[0]) continue;
    if (c.pad === 'valid' && (c.filter[1] - 1) * dilation + 1 > c.size[1]) continue;
    // tfjs sizes numeric-pad outputs from the filter height alone (for both axes), so its own
    // kernels disagree on non-square filters there; only square ones are meaningful.
    if (typeof c.pad === 'number' && c.filter[0] !== c.filter[1]) continue;
    if (typeof c.pad === 'number' && (span > c.size[0] + 2 * c.pad || (c.filter[1] - 1) * dilation + 1 > c.size[1] + 2 * c.pad)) continue;
    cases.push(c);
  }
  return cases;
}

function randomTensor(shape: number[], r: () => number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => r() * 2 - 1), shape);
}

/** Runs `f` on a backend and returns the values (tensors created inside are disposed). */
async function onBackend(name: string, f: () => tf.Tensor): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(name);
  const t = f();
  const values = (await t.data()) as Float32Array;
  const shape = t.shape;
  t.dispose();
  return { values, shape };
}

function assertClose(got: { values: Float32Array; shape: number[] }, want: { values: Float32Array; shape: number[] }, label: string): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  let scale = 0;
  for (const v of want.values) scale = Math.max(scale, Math.abs(v));
  const tol = 1e-4 * Math.max(scale, 1e-6);
  for (let i = 0; i < want.values.length; i++) {
    const d = Math.abs(got.values[i]! - want.values[i]!);
    if (!(d <= tol)) assert.fail(`${label}: element ${i} is ${got.values[i]}, cpu backend gives ${want.values[i]} (tolerance ${tol})`);
  }
}

/** Geometry of a case as tfjs conv attributes. */
function attrs(c: Case, extra: Record<string, number[]>): tf.NamedAttrMap {
  return { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', ...extra } as unknown as tf.NamedAttrMap;
}

function outShape(c: Case): [number, number, number, number] {
  const probe = tf.conv2d(tf.zeros([c.batch, ...c.size, c.inChannels]) as tf.Tensor4D, tf.zeros([...c.filter, c.inChannels, c.outChannels]) as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation);
  const s = probe.shape;
  tf.dispose(probe);
  return s;
}

async function checkProvider(provider: 'fedcl-wasm' | 'onnxruntime-mlas'): Promise<void> {
  await tf.setBackend('wasm');
  const setup = installWasmTrainingKernels({ choice: provider, threads: 2 });
  assert.equal(setup.kernels, provider);
  const r = rng(provider === 'fedcl-wasm' ? 11 : 12);
  const forwardCases = randomCases(provider === 'fedcl-wasm' ? 1 : 2, 24, true);
  // Plus stem-like geometries (wide filter, one channel: the onnxruntime provider's other formulation).
  const gradCases = [
    ...randomCases(provider === 'fedcl-wasm' ? 3 : 4, 24, false),
    { batch: 2, size: [13, 12], inChannels: 1, outChannels: 4, filter: [7, 7], stride: 2, dilation: 1, pad: 3 },
    { batch: 3, size: [9, 9], inChannels: 2, outChannels: 3, filter: [5, 5], stride: 1, dilation: 1, pad: 'same' },
  ] satisfies Case[];
  await tf.setBackend('cpu');
  const data = forwardCases.map((c) => ({ c, x: randomTensor([c.batch, ...c.size, c.inChannels], r), w: randomTensor([...c.filter, c.inChannels, c.outChannels], r) }));
  const gradData = gradCases.map((c) => {
    const dy = randomTensor(outShape(c), r);
    return { c, x: randomTensor([c.batch, ...c.size, c.inChannels], r), w: randomTensor([...c.filter, c.inChannels, c.outChannels], r), dy };
  });
  // Tensors created on cpu are read by wasm kernels after an automatic data move.
  for (const { c, x, w } of data) {
    const label = `${provider} Conv2D ${JSON.stringify(c)}`;
    const run = () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad, 'NHWC', c.dilation);
    const want = await onBackend('cpu', run);
    assertClose(await onBackend('wasm', run), want, label);
    const bias = tf.tensor1d(Array.from({ length: c.outChannels }, (_, i) => i / 3 - 0.5));
    const fused = () => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: c.stride, pad: c.pad, dilations: c.dilation, bias, activation: 'relu' });
    assertClose(await onBackend('wasm', fused), await onBackend('cpu', fused), `${provider} FusedConv2D ${JSON.stringify(c)}`);
    bias.dispose();
  }
  for (const { c, x, w, dy } of gradData) {
    const label = JSON.stringify(c);
    const bInput = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs(c, { inputShape: x.shape })) as tf.Tensor;
    assertClose(await onBackend('wasm', bInput), await onBackend('cpu', bInput), `${provider} Conv2DBackpropInput ${label}`);
    const bFilter = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs(c, { filterShape: w.shape })) as tf.Tensor;
    assertClose(await onBackend('wasm', bFilter), await onBackend('cpu', bFilter), `${provider} Conv2DBackpropFilter ${label}`);
  }
  await tf.setBackend('wasm');
  // Leak check on the wasm side: neither tensors nor backend buffers may remain from a kernel call.
  const { c, x, w, dy } = gradData[0]!;
  const xs = tf.clone(x), ws = tf.clone(w), dys = tf.clone(dy);
  const before = { tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() };
  for (const run of [
    () => tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, c.stride, c.pad),
    () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dys, filter: ws }, attrs(c, { inputShape: xs.shape })) as tf.Tensor,
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x: xs, dy: dys }, attrs(c, { filterShape: ws.shape })) as tf.Tensor,
  ]) run().dispose();
  assert.deepEqual({ tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() }, before, `${provider}: kernels leaked`);
  tf.dispose([xs, ws, dys, ...data.flatMap((d) => [d.x, d.w]), ...gradData.flatMap((d) => [d.x, d.w, d.dy])]);
}

test('fedcl-wasm kernels match the cpu backend and leak nothing', async () => {
  await checkProvider('fedcl-wasm');
});

test('onnxruntime-mlas kernels match the cpu backend and leak nothing', async () => {
  await checkProvider('onnxruntime-mlas');
});

test('a conv net training step on wasm gives the cpu backend gradients with each provider, memory flat', async () => {
  const r = rng(99);
  await tf.setBackend('cpu');
  const x = randomTensor([4, 12, 12, 1], r) as tf.Tensor4D;
  const w1 = randomTensor([3, 3, 1, 4], r) as tf.Tensor4D;
  const w2 = randomTensor([3, 3, 4, 6], r) as tf.Tensor4D;
  const w3 = randomTensor([1, 1, 6, 8], r) as tf.Tensor4D;
  const loss = (...[a, b, c]: tf.Tensor[]) => {
    let h = tf.relu(tf.conv2d(x, a as tf.Tensor4D, 1, 'same')) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.relu(tf.conv2d(h, b as tf.Tensor4D, 2, 1)) as tf.Tensor4D;
    h = tf.avgPool(tf.conv2d(h, c as tf.Tensor4D, 1, 'valid'), 2, 1, 'same');
    const m = tf.moments(h, [1, 2, 3], true);
    return tf.mean(tf.mul(tf.square(tf.div(tf.sub(h, m.mean), tf.sqrt(tf.add(m.variance, 1e-5)))), tf.sin(h)));
  };
  const grads = () => tf.grads(loss)([w1, w2, w3]);
  const want = await Promise.all((await (async () => { await tf.setBackend('cpu'); return grads(); })()).map(async (g) => ({ values: (await g.data()) as Float32Array, shape: g.shape, g })));
  for (const provider of ['fedcl-wasm', 'onnxruntime-mlas'] as const) {
    await tf.setBackend('wasm');
    installWasmTrainingKernels({ choice: provider, threads: 2 });
    tf.dispose(grads()); // first call moves the inputs to wasm
    const before = tf.memory().numTensors;
    const got = grads();
    assert.equal(tf.memory().numTensors - got.length, before, `${provider}: a training step must leave no tensors behind`);
    for (let i = 0; i < got.length; i++) {
      assertClose({ values: (await got[i]!.data()) as Float32Array, shape: got[i]!.shape }, want[i]!, `${provider} gradient ${i}`);
    }
    tf.dispose(got);
  }
  restoreShippedWasmKernels();
  tf.dispose([x, w1, w2, w3, ...want.map((w) => w.g)]);
});

test('wasm Identity (tf.clone, and every tensor saved for backprop) shares the buffer and outlives its source', async () => {
  await tf.setBackend('wasm');
  installWasmTrainingKernels({ choice: 'fedcl-wasm' });
  const buffers = tf.engine().backend.numDataIds();
  const a = tf.tensor([1.5, -2, 3.25, 4], [2, 2]);
  const b = tf.clone(a);
  assert.equal(tf.engine().backend.numDataIds(), buffers + 1, 'clone must not allocate a second buffer');
  a.dispose();
  assert.deepEqual(Array.from(await b.data()), [1.5, -2, 3.25, 4]);
  b.dispose();
  assert.equal(tf.engine().backend.numDataIds(), buffers, 'the shared buffer is freed with its last tensor');
  restoreShippedWasmKernels();
});

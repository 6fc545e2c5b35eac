/**
 * `npm run bench -- kernels [--batch 32]`
 *
 * Convolution forward / backprop-input / backprop-filter and matmul timings (ms, median of 5 after
 * a warm-up) for each implementation on the wasm backend — the shipped kernels, fedcl-wasm
 * (im2col + XNNPACK matmul), onnxruntime-mlas — and PyTorch CPU with 2 and 1 threads, in one run.
 * Shapes are ResNet-18 layers (width 32) at `--batch` views. Writes bench/results/kernels.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism, cpus } from 'node:os';
import { installWasmTrainingKernels, restoreShippedWasmKernels } from '../packages/ssl/src/index.js';
import { loadOrtRuntime } from '../packages/ssl/src/backend/ortRuntime.js';
import type { OnnxGraph } from '../packages/ssl/src/backend/onnxGraph.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const i = process.argv.indexOf('--batch');
const batch = i >= 0 ? Number(process.argv[i + 1]) : 32;

interface ConvCase { name: string; x: [number, number, number, number]; w: [number, number, number, number]; stride: number; pad: number }
interface MatMulCase { name: string; matmul: [number, number, number] }
type Timing = Record<string, number | string>;

const convCases: ConvCase[] = [
  { name: 'stem 7x7/2, 128² in, 1→32', x: [batch, 128, 128, 1], w: [7, 7, 1, 32], stride: 2, pad: 3 },
  { name: '3x3/1, 32², 32→32', x: [batch, 32, 32, 32], w: [3, 3, 32, 32], stride: 1, pad: 1 },
  { name: '3x3/2, 32², 32→64', x: [batch, 32, 32, 32], w: [3, 3, 32, 64], stride: 2, pad: 1 },
  { name: '3x3/1, 8², 128→128', x: [batch, 8, 8, 128], w: [3, 3, 128, 128], stride: 1, pad: 1 },
];
const matmulCases: MatMulCase[] = [{ name: 'matmul 1024³', matmul: [1024, 1024, 1024] }, { name: 'matmul 256×512×512 (head)', matmul: [256, 512, 512] }];

function medianMs(f: () => void, reps = 5): number {
  f();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
}

function timeTfjs(c: ConvCase): Timing {
  const x = tf.randomNormal(c.x) as tf.Tensor4D;
  const w = tf.randomNormal(c.w) as tf.Tensor4D;
  const y = tf.conv2d(x, w, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape);
  const attrs = (extra: Record<string, number[]>) => ({ strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', ...extra }) as unknown as tf.NamedAttrMap;
  const run = (f: () => tf.Tensor) => () => { const t = f(); t.dataSync(); t.dispose(); };
  const out: Timing = { fwd: medianMs(run(() => tf.conv2d(x, w, c.stride, c.pad))) };
  out.bInput = medianMs(run(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs({ inputShape: c.x })) as tf.Tensor));
  try {
    out.bFilter = medianMs(run(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs({ filterShape: c.w })) as tf.Tensor));
  } catch (e) {
    out.bFilter = `not available: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
  }
  tf.dispose([x, w, y, dy]);
  return out;
}

function timeMatMulTfjs(c: MatMulCase): Timing {
  const [m, k, n] = c.matmul;
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const t = medianMs(() => { const r = tf.matMul(a, b); r.dataSync(); r.dispose(); });
  tf.dispose([a, b]);
  return { matmul: t };
}

function timeMatMulOrt(c: MatMulCase, threads: number): Timing {
  const rt = loadOrtRuntime(threads);
  const [m, k, n] = c.matmul;
  const graph: OnnxGraph = { inputs: [{ name: 'a', shape: [m, k] }, { name: 'b', shape: [k, n] }], outputs: [{ name: 'c', shape: [m, n] }], nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }] };
  const a = { data: Float32Array.from({ length: m * k }, Math.random), shape: [m, k] };
  const b = { data: Float32Array.from({ length: k * n }, Math.random), shape: [k, n] };
  const out = { data: new Float32Array(m * n), shape: [m, n] };
  const t = medianMs(() => rt.run(c.name, () => graph, { a, b }, { c: out }));
  rt.dispose();
  return { matmul: t };
}

function torchTimings(threads: number): Record<string, Timing> {
  const r = spawnSync('/usr/bin/python3', [`${here}torch_kernels.py`, String(threads), JSON.stringify([...convCases, ...matmulCases])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyTorch reference failed (needs Debian python3-torch at /usr/bin/python3): ${r.stderr.slice(-300)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, Timing>;
}

const threads = availableParallelism();
await tf.setBackend('wasm');
const table: Record<string, Record<string, Timing>> = {};
const record = (impl: string, name: string, t: Timing) => ((table[name] ??= {})[impl] = t);

record('pytorch (2 threads)', '', {});
for (const [name, t] of Object.entries(torchTimings(2))) record('pytorch (2 threads)', name, t);
restoreShippedWasmKernels();
for (const c of convCases) record('wasm shipped', c.name, timeTfjs(c));
for (const c of matmulCases) record('wasm shipped', c.name, timeMatMulTfjs(c));
installWasmTrainingKernels({ choice: 'fedcl-wasm' });
for (const c of convCases) record('fedcl-wasm', c.name, timeTfjs(c));
installWasmTrainingKernels({ choice: 'onnxruntime-mlas', threads });
for (const c of convCases) record(`onnxruntime-mlas (${threads} threads)`, c.name, timeTfjs(c));
for (const c of matmulCases) record(`onnxruntime-mlas (${threads} threads)`, c.name, timeMatMulOrt(c, threads));
for (const [name, t] of Object.entries(torchTimings(1))) record('pytorch (1 thread)', name, t);
delete table[''];

mkdirSync(`${here}results`, { recursive: true });
writeFileSync(`${here}results/kernels.json`, JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: threads, batch, timingsMs: table }, null, 2) + '\n');
for (const [name, impls] of Object.entries(table)) {
  console.log(`\n${name}`);
  for (const [impl, t] of Object.entries(impls)) {
    console.log(`  ${impl.padEnd(30)} ${Object.entries(t).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(1) : v}`).join('  ')}`);
  }
}

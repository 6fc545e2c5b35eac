/**
 * `npm run bench -- train [--sizes 64,128] [--batch 64] [--width 32] [--steps 3] [--rounds 1] [--with-cpu] [--headline-only]`
 * (--headline-only: only PyTorch and the default tfjs configuration, wasm + onnxruntime-mlas + fused GroupNorm.)
 * (FEDCL_BENCH_PROFILE=1 prints each tfjs worker's time per kernel to stderr.)
 *
 * SimCLR training images/s for packages/ssl's ResNet-18 encoder (1 channel, GroupNorm) on each
 * tfjs configuration, side by side with the same network in PyTorch CPU (bench/torch_train.py,
 * 2 threads and 1 thread) in the same run. Every configuration runs in its own process (a wasm
 * heap exhaustion cannot take the others down); rounds alternate PyTorch and tfjs so machine load
 * hits both alike. Writes bench/results/train.json.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism, cpus } from 'node:os';
import { initBackend, formatBackendReport, groupNorm, ntXentLoss, type BackendName, type BackendReport, type WasmKernelChoice } from '../packages/ssl/src/index.js';
import { fusedGroupNorm, hasFusedGroupNorm } from '../packages/ssl/src/backend/groupNormKernels.js';

interface WorkerSpec {
  label: string;
  /** GroupNorm as packages/ssl's composed ops, or fedcl's fused kernels. */
  norm: 'composed' | 'fused';
  backend: BackendName;
  kernels?: WasmKernelChoice;
  size: number;
  batch: number;
  width: number;
  steps: number;
  threads: number;
}

interface Measurement {
  label: string;
  size: number;
  batch: number;
  imagesPerSecond?: number;
  /** Images per second of process CPU time (all threads): robust to other jobs on the machine. */
  imagesPerCpuSecond?: number;
  stepMs?: number[];
  stepCpuMs?: number[];
  backend?: BackendReport | string;
  error?: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * packages/ssl's ResNet-18 layout (models/resnet18.ts: stem 3×3/1 without max-pool up to 64 px,
 * else 7×7/2 + 3×3/2 max-pool; BasicBlocks, widths w..8w; symmetric explicit pads; GroupNorm with
 * gcd(C, 8) groups; global average pool), rebuilt here so the GroupNorm implementation can be
 * switched; bench/torch_train.py defines the same network. x [N,S,S,1] → features [N,8w].
 */
function resnet18(width: number, size: number, norm: WorkerSpec['norm']) {
  if (norm === 'fused' && !hasFusedGroupNorm()) throw new Error(`no fused GroupNorm kernel on backend ${tf.getBackend()}`);
  const vars: tf.Variable[] = [];
  let seed = 100;
  const conv = (k: number, cin: number, cout: number, stride: number, pad: number) => {
    const w = tf.variable(tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (k * k * cout)), 'float32', seed++));
    vars.push(w);
    return (x: tf.Tensor4D) => tf.conv2d(x, w as tf.Tensor4D, stride, pad);
  };
  /** GroupNorm, then ReLU when `relu` (fused into one kernel with the fused norm). */
  const gn = (c: number, relu = false) => {
    const gamma = tf.variable(tf.ones([c])) as tf.Variable<tf.Rank.R1>;
    const beta = tf.variable(tf.zeros([c])) as tf.Variable<tf.Rank.R1>;
    vars.push(gamma, beta);
    let groups = 8;
    for (let a = c; a % groups !== 0; ) [a, groups] = [groups, a % groups];
    if (norm === 'fused') return (x: tf.Tensor4D) => fusedGroupNorm(x, gamma, beta, groups, 1e-5, relu) as tf.Tensor4D;
    return (x: tf.Tensor4D) => (relu ? tf.relu(groupNorm(x, gamma, beta, groups)) : groupNorm(x, gamma, beta, groups)) as tf.Tensor4D;
  };
  const small = size <= 64;
  const stemConv = small ? conv(3, 1, width, 1, 1) : conv(7, 1, width, 2, 3);
  const stemNorm = gn(width, true);
  const blocks: ((x: tf.Tensor4D) => tf.Tensor4D)[] = [];
  let cin = width;
  [width, 2 * width, 4 * width, 8 * width].forEach((cout, s) => {
    for (let b = 0; b < 2; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      const c1 = conv(3, cin, cout, stride, 1), n1 = gn(cout, true), c2 = conv(3, cout, cout, 1, 1), n2 = gn(cout);
      const sc = stride !== 1 || cin !== cout ? [conv(1, cin, cout, stride, 0), gn(cout)] as const : undefined;
      blocks.push((x) => {
        const h = n2(c2(n1(c1(x))));
        return tf.relu(tf.add(h, sc ? sc[1](sc[0](x)) : x)) as tf.Tensor4D;
      });
      cin = cout;
    }
  });
  const apply = (x: tf.Tensor4D): tf.Tensor2D => {
    let h = stemNorm(stemConv(x));
    if (!small) h = tf.maxPool(tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]], -Infinity), 3, 2, 'valid');
    for (const block of blocks) h = block(h);
    return tf.mean(h, [1, 2]) as tf.Tensor2D;
  };
  return { apply, vars, featureDim: 8 * width };
}

/** One SimCLR step: encoder + projection head on 2N views, NT-Xent, Adam. */
async function runWorker(spec: WorkerSpec): Promise<Measurement> {
  const report = await initBackend({ force: spec.backend, kernels: spec.kernels, threads: spec.threads });
  const encoder = resnet18(spec.width, spec.size, spec.norm);
  const d = encoder.featureDim;
  const w1 = tf.variable(tf.randomNormal([d, d], 0, Math.sqrt(1 / d), 'float32', 2));
  const b1 = tf.variable(tf.zeros([d]));
  const w2 = tf.variable(tf.randomNormal([d, 128], 0, Math.sqrt(1 / d), 'float32', 3));
  const b2 = tf.variable(tf.zeros([128]));
  const loss = ntXentLoss({ temperature: 0.5 });
  const optimizer = tf.train.adam(1e-3);
  const v1 = tf.randomNormal([spec.batch, spec.size, spec.size, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
  const v2 = tf.randomNormal([spec.batch, spec.size, spec.size, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const vars = [...encoder.vars, w1, b1, w2, b2];
  const step = () => {
    const cost = optimizer.minimize(() => {
      const h = encoder.apply(tf.concat([v1, v2]));
      const z = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, w1), b1)), w2), b2);
      const [z1, z2] = tf.split(z, 2);
      return loss(z1 as tf.Tensor2D, z2 as tf.Tensor2D);
    }, true, vars);
    cost!.dataSync();
    cost!.dispose();
  };
  step(); // warm-up: kernel sessions, heap growth
  if (process.env.FEDCL_BENCH_PROFILE === '1') {
    const profile = await tf.profile(step);
    const perKernel = new Map<string, number>();
    for (const k of profile.kernels) perKernel.set(k.name, (perKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
    const top = [...perKernel].sort((x, y) => y[1] - x[1]).slice(0, 20);
    console.error(top.map(([name, ms]) => `${name.padEnd(28)} ${ms.toFixed(0)} ms`).join('\n'));
  }
  const stepMs: number[] = [];
  const stepCpuMs: number[] = [];
  for (let i = 0; i < spec.steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    stepMs.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    stepCpuMs.push((c.user + c.system) / 1000);
  }
  return {
    label: spec.label, size: spec.size, batch: spec.batch,
    imagesPerSecond: spec.batch / (median(stepMs) / 1000), imagesPerCpuSecond: spec.batch / (median(stepCpuMs) / 1000),
    stepMs, stepCpuMs, backend: report,
  };
}

function spawnTfjs(spec: WorkerSpec): Measurement {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${here}train.ts`, '--worker', JSON.stringify(spec)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{"label"'));
  if (line) return JSON.parse(line) as Measurement;
  // A full wasm heap shows as an emscripten abort or as a tensor view past the heap's end.
  if (/Aborted\(\)|Invalid typed array length|Cannot allocate Wasm memory/.test(r.stderr)) {
    return { label: spec.label, size: spec.size, batch: spec.batch, error: 'out of memory: the step does not fit the 4 GB wasm32 heap' };
  }
  const why = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('var Module') && !/^\s+at /.test(l)).slice(-3).join(' ');
  return { label: spec.label, size: spec.size, batch: spec.batch, error: why.slice(0, 400) };
}

function spawnTorch(size: number, batch: number, width: number, steps: number, threads: number): Measurement {
  const label = `pytorch-cpu (${threads} thread${threads > 1 ? 's' : ''})`;
  const r = spawnSync('/usr/bin/python3', [`${here}torch_train.py`, String(size), String(batch), String(width), String(steps), String(threads)], { encoding: 'utf8' });
  if (r.status !== 0) return { label, size, batch, error: `PyTorch failed (needs Debian python3-torch at /usr/bin/python3): ${r.stderr.slice(-300)}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { imagesPerSecond: number; imagesPerCpuSecond: number; stepMs: number[]; stepCpuMs: number[]; torch: string };
  return { label, size, batch, imagesPerSecond: out.imagesPerSecond, imagesPerCpuSecond: out.imagesPerCpuSecond, stepMs: out.stepMs, stepCpuMs: out.stepCpuMs, backend: `torch ${out.torch}` };
}

async function main(): Promise<void> {
  const workerArg = process.argv.indexOf('--worker');
  if (workerArg >= 0) {
    console.log(JSON.stringify(await runWorker(JSON.parse(process.argv[workerArg + 1]!) as WorkerSpec)));
    return;
  }
  const sizes = arg('sizes', '64,128').split(',').map(Number);
  const batch = Number(arg('batch', '64'));
  const width = Number(arg('width', '32'));
  const steps = Number(arg('steps', '3'));
  const rounds = Number(arg('rounds', '1'));
  const withCpu = process.argv.includes('--with-cpu');
  const headlineOnly = process.argv.includes('--headline-only');
  const threads = availableParallelism();
  const results: Measurement[] = [];
  for (const size of sizes) {
    const specs: WorkerSpec[] = [
      { label: `tfjs wasm + onnxruntime-mlas (${threads} threads), fused GroupNorm`, norm: 'fused', backend: 'wasm', kernels: 'onnxruntime-mlas', size, batch, width, steps, threads },
      { label: `tfjs wasm + onnxruntime-mlas (${threads} threads), composed GroupNorm`, norm: 'composed', backend: 'wasm', kernels: 'onnxruntime-mlas', size, batch, width, steps, threads },
      // Single-threaded and ~several× slower: one timed step keeps the run within reason.
      { label: 'tfjs wasm + fedcl-wasm kernels (1 thread), fused GroupNorm', norm: 'fused', backend: 'wasm', kernels: 'fedcl-wasm', size, batch, width, steps: 1, threads },
    ];
    if (headlineOnly) specs.splice(1);
    if (withCpu) specs.push({ label: 'tfjs cpu (pure JS), fused GroupNorm', norm: 'fused', backend: 'cpu', size, batch, width, steps: 1, threads });
    for (let round = 0; round < rounds; round++) {
      for (const m of [spawnTorch(size, batch, width, steps, 2), ...specs.map(spawnTfjs), spawnTorch(size, batch, width, steps, 1)]) {
        console.log(`${size}² ${m.label}: ${m.imagesPerSecond?.toFixed(2) ?? m.error} images/s`);
        results.push(m);
      }
    }
  }
  const summary = sizes.map((size) => {
    const at = (label: string, key: 'imagesPerSecond' | 'imagesPerCpuSecond' = 'imagesPerSecond') => {
      const xs = results.filter((r) => r.size === size && r.label === label && r[key] !== undefined).map((r) => r[key]!);
      return xs.length ? median(xs) : undefined;
    };
    const torch2 = at('pytorch-cpu (2 threads)');
    const torchBest = Math.max(torch2 ?? 0, at('pytorch-cpu (1 thread)') ?? 0);
    const torchCpu = Math.max(at('pytorch-cpu (2 threads)', 'imagesPerCpuSecond') ?? 0, at('pytorch-cpu (1 thread)', 'imagesPerCpuSecond') ?? 0);
    const labels = [...new Set(results.filter((r) => r.size === size).map((r) => r.label))];
    return {
      size,
      rows: labels.map((label) => {
        const ips = at(label);
        const ipc = at(label, 'imagesPerCpuSecond');
        return {
          label, imagesPerSecond: ips, imagesPerCpuSecond: ipc,
          ratioToPytorch2Threads: ips !== undefined && torch2 ? ips / torch2 : undefined,
          ratioToBestPytorch: ips !== undefined && torchBest ? ips / torchBest : undefined,
          cpuRatioToBestPytorch: ipc !== undefined && torchCpu ? ipc / torchCpu : undefined,
          error: results.find((r) => r.size === size && r.label === label && r.error)?.error };
      }),
    };
  });
  mkdirSync(`${here}results`, { recursive: true });
  writeFileSync(
    `${here}results/train.json`,
    JSON.stringify({ date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: threads, node: process.version, batch, width, steps, rounds, summary, results }, null, 2) + '\n',
  );
  for (const s of summary) {
    console.log(`\n${s.size}², batch ${batch}, width ${width}`);
    for (const r of s.rows) {
      console.log(`  ${r.label.padEnd(64)} ${r.imagesPerSecond?.toFixed(2).padStart(6) ?? '   n/a'} img/s (×${r.ratioToPytorch2Threads?.toFixed(2) ?? '?'} of PyTorch 2 thr, ×${r.ratioToBestPytorch?.toFixed(2) ?? '?'} of best)  ${r.imagesPerCpuSecond?.toFixed(2) ?? 'n/a'} img/CPU-s (×${r.cpuRatioToBestPytorch?.toFixed(2) ?? '?'})${r.error ? ` ${r.error}` : ''}`);
    }
  }
  if (process.argv.includes('--print-backend')) console.log(formatBackendReport(await initBackend()));
}

await main();

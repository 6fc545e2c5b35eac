/**
 * Coordinator aggregation throughput: for each update, the coordinator's own path — SHA-256 of the
 * ciphertext against the signed claims, JWE decryption (ECDH-ES+A256KW, A256GCM), decode
 * (fp32/fp16/int8), name/shape check, NaN/Inf scan — then the fold into the streaming
 * float64 weighted sum, and at the end the FedAvg step. Reported in MB of ciphertext per second,
 * with peak RSS / heap + array buffers, for 10 and 100 sites and an 11.2M-parameter encoder with
 * ResNet-18's tensor shapes. Also: bytes on the wire per round for fp32, fp16 and int8, and the
 * relative error fp16/int8 add to a realistic update (what quantisation costs, before training).
 *
 * Updates are encrypted once (3 distinct ones per dtype, cycled); each site's decryption is done
 * anew. Disk I/O of the upload files is not included (the server reads each file once, sequentially).
 *
 * Usage: npm run bench -- aggregate [--sites 10,100] [--dtypes fp32,fp16,int8]
 * Writes bench/results/aggregate.json and prints a markdown table.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_WEIGHT_LIMITS,
  decodeWeights,
  encodeWeights,
  FederatedNames,
  generateEncryptionKeyPair,
  generateSigningKeyPair,
  openUpdate,
  prepareUpdate,
  seededRandom,
  type NamedTensors,
  type PreparedUpdate,
  type WeightDtype,
} from '@fedcl/protocol';
import { addWeighted, applyServerOptimizer, createWeightedSum, weightedMean } from '@fedcl/server';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SITE_COUNTS = arg('sites', '10,100').split(',').map(Number);
const DTYPES = arg('dtypes', 'fp32,fp16,int8').split(',') as WeightDtype[];
const MB = 1e6;

/** ResNet-18 convolution kernels [kh, kw, in, out] and BatchNorm γ/β + running stats. */
function resnet18Shapes(): [string, number[]][] {
  const out: [string, number[]][] = [];
  const conv = (name: string, k: number, cin: number, cout: number) => {
    out.push([`encoder/${name}/kernel`, [k, k, cin, cout]]);
    for (const p of ['gamma', 'beta', 'moving_mean', 'moving_variance']) out.push([`encoder/${name}_bn/${p}`, [cout]]);
  };
  conv('conv1', 7, 3, 64);
  const stages = [64, 128, 256, 512];
  let cin = 64;
  stages.forEach((c, s) => {
    for (let b = 0; b < 2; b++) {
      const first = b === 0 && s > 0;
      conv(`layer${s + 1}.${b}.conv1`, 3, first ? cin : c, c);
      conv(`layer${s + 1}.${b}.conv2`, 3, c, c);
      if (first) conv(`layer${s + 1}.${b}.downsample`, 1, cin, c);
    }
    cin = c;
  });
  return out;
}

function model(seed: number, scale: number): NamedTensors {
  const rnd = seededRandom(seed);
  const m: NamedTensors = new Map();
  for (const [name, shape] of resnet18Shapes()) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    // Roughly Gaussian (sum of 3 uniforms), like weights / SGD deltas.
    for (let i = 0; i < n; i++) data[i] = (rnd() + rnd() + rnd() - 1.5) * scale;
    m.set(name, { shape, data });
  }
  return m;
}

const memory = { rss: 0, heap: 0 };
function sample(): void {
  const m = process.memoryUsage();
  memory.rss = Math.max(memory.rss, m.rss);
  memory.heap = Math.max(memory.heap, m.heapUsed + m.arrayBuffers);
}

const names = new FederatedNames({ prefix: 'encoder/', exclude: ['**/moving_mean', '**/moving_variance'] });
const global = names.select(model(1, 0.05));
const spec = [...global].map(([name, t]) => ({ name, shape: [...t.shape] }));
const params = [...global.values()].reduce((a, t) => a + t.data.length, 0);
const coordinator = await generateEncryptionKeyPair();
const site = await generateSigningKeyPair();

async function updates(dtype: WeightDtype): Promise<{ prepared: PreparedUpdate[]; deltas: NamedTensors[] }> {
  const prepared: PreparedUpdate[] = [];
  const deltas: NamedTensors[] = [];
  for (let k = 0; k < 3; k++) {
    const delta = names.select(model(100 + k, 0.002));
    deltas.push(delta);
    prepared.push(
      await prepareUpdate({
        tensors: delta, kind: 'delta', dtype, siteId: 'bench-site', round: 1, nonce: 'N'.repeat(22), baseVersion: 0, samples: 100,
        siteKey: site.privateKey, coordinatorEncryptionKey: coordinator.publicKey,
      }),
    );
  }
  return { prepared, deltas };
}

/** ‖decode(encode(x)) − x‖₂ / ‖x‖₂ over the whole update. */
function relativeError(x: NamedTensors, dtype: WeightDtype): number {
  const y = decodeWeights(encodeWeights(x, dtype));
  let num = 0;
  let den = 0;
  for (const [name, t] of x) {
    const d = y.get(name)!.data;
    for (let i = 0; i < t.data.length; i++) {
      num += (d[i]! - t.data[i]!) ** 2;
      den += t.data[i]! ** 2;
    }
  }
  return Math.sqrt(num / den);
}

interface Row {
  dtype: WeightDtype;
  sites: number;
  updateBytes: number;
  seconds: number;
  /** user + system CPU of this process: stable when other jobs share the machine */
  cpuSeconds: number;
  mbPerSecond: number;
  mbPerCpuSecond: number;
  secondsPerSite: number;
  peakRssMB: number;
  peakHeapPlusBuffersMB: number;
}

const rows: Row[] = [];
const wire: Record<string, { updateBytes: number; encodedBytes: number; relativeError: number }> = {};
const ticker = setInterval(sample, 20);
for (const dtype of DTYPES) {
  const { prepared, deltas } = await updates(dtype);
  wire[dtype] = { updateBytes: prepared[0]!.bytes, encodedBytes: prepared[0]!.encodedBytes, relativeError: relativeError(deltas[0]!, dtype) };
  for (const sites of SITE_COUNTS) {
    memory.rss = 0;
    memory.heap = 0;
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const sum = createWeightedSum(spec);
    let bytes = 0;
    for (let s = 0; s < sites; s++) {
      const p = prepared[s % prepared.length]!;
      const ciphertext = Buffer.concat(p.chunks.map((c) => c.data));
      const tensors = await openUpdate(ciphertext, p.claims, { coordinatorKey: coordinator.privateKey, limits: DEFAULT_WEIGHT_LIMITS, spec, names });
      addWeighted(sum, tensors, 50 + s);
      bytes += ciphertext.length;
      sample();
    }
    const next = applyServerOptimizer({ name: 'fedavg', serverLr: 1 }, global, weightedMean(sum), new Map());
    sample();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (next.weights.size !== global.size) throw new Error('aggregation lost tensors');
    rows.push({
      dtype, sites, updateBytes: prepared[0]!.bytes, seconds, cpuSeconds, mbPerSecond: bytes / MB / seconds, mbPerCpuSecond: bytes / MB / cpuSeconds, secondsPerSite: seconds / sites,
      peakRssMB: memory.rss / MB, peakHeapPlusBuffersMB: memory.heap / MB,
    });
    console.error(`${dtype} × ${sites}: ${seconds.toFixed(1)} s, ${(bytes / MB / seconds).toFixed(0)} MB/s, peak RSS ${(memory.rss / MB).toFixed(0)} MB`);
  }
}
clearInterval(ticker);

const downloadBytes = encodeWeights(global, 'fp32').length;
const perRound = Object.fromEntries(
  Object.entries(wire).map(([dtype, w]) => [dtype, Object.fromEntries(SITE_COUNTS.map((n) => [n, { up: n * w.updateBytes, down: n * downloadBytes }]))]),
);

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  loadAverageAtEnd: loadavg(),
  model: { name: 'ResNet-18 shapes, encoder-only, BatchNorm running stats excluded', parameters: params, fp32Bytes: params * 4 },
  pipeline: 'sha256 + JWE decrypt + decode + shape/finite checks + float64 fold; FedAvg step at the end',
  rows,
  wire,
  globalDownloadBytes: downloadBytes,
  bytesPerRound: perRound,
};
writeFileSync(fileURLToPath(new URL('./results/aggregate.json', import.meta.url)), `${JSON.stringify(result, null, 2)}\n`);

const f = (x: number, d = 0) => x.toFixed(d);
console.log(`\nModel: ${(params / 1e6).toFixed(2)} M parameters (${f((params * 4) / MB, 1)} MB fp32). ${result.cpus}, Node ${process.version}.\n`);
console.log(`Load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (wall-clock numbers suffer when other jobs share the cores; CPU-time numbers much less).\n`);
console.log('| dtype | sites | update (MB) | wall (s) | MB/s (wall) | CPU (s) | MB per CPU-s | peak RSS (MB) | peak heap+buffers (MB) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.dtype} | ${r.sites} | ${f(r.updateBytes / MB, 1)} | ${f(r.seconds, 1)} | ${f(r.mbPerSecond)} | ${f(r.cpuSeconds, 1)} | ${f(r.mbPerCpuSecond)} | ${f(r.peakRssMB)} | ${f(r.peakHeapPlusBuffersMB)} |`);
console.log('\n| dtype | update (MB) | rel. L2 error | up+down per round, 10 sites (MB) | up+down per round, 100 sites (MB) |');
console.log('|---|---:|---:|---:|---:|');
for (const [dtype, w] of Object.entries(wire)) {
  const pr = perRound[dtype]!;
  const cell = (n: number) => (pr[n] ? f((pr[n].up + pr[n].down) / MB) : '–');
  console.log(`| ${dtype} | ${f(w.updateBytes / MB, 1)} | ${w.relativeError.toExponential(2)} | ${cell(10)} | ${cell(100)} |`);
}

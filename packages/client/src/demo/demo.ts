import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateDemoData } from '@fedcl/dicom';
import type { Coordinator } from '@fedcl/server';
import { finetune } from '../finetune/finetune.js';
import type { EvaluationReport } from '../finetune/report.js';
import { trainingSpec } from '../site/trainingSpec.js';
import { simulate, type SimulationReport } from '../simulate/simulate.js';

export interface DemoOptions {
  out: string;
  sites?: number;
  perSite?: number;
  rounds?: number;
  localEpochs?: number;
  labelFraction?: number;
  /** Pretraining settings (see site/trainingSpec.ts). */
  training?: Record<string, number | string | boolean>;
  seed?: number;
  log?: (line: string) => void;
  onCoordinator?: (c: Coordinator) => void;
}

/** The defaults `npm start` runs: sized to finish in well under 10 minutes on 2 cores. */
export const DEMO_DEFAULTS = {
  sites: 3,
  perSite: 160,
  rounds: 4,
  localEpochs: 2,
  labelFraction: 0.05,
  training: { method: 'simclr', arch: 'smallcnn', width: 16, inputSize: 64, batchSize: 32, learningRate: 3e-3, seed: 1 },
};

export interface DemoRow {
  name: string;
  encoder: string;
  report: EvaluationReport;
}

export interface DemoResult {
  data: string;
  federation: SimulationReport;
  rows: DemoRow[];
  seconds: number;
}

/**
 * The main job: synthetic multi-site DICOM → federated SimCLR over loopback (coordinator +
 * one process per site) → the same pretraining centralised on the pooled data → the same
 * anomaly classifier (LP-FT) with `labelFraction` of the labels on each encoder and from scratch,
 * compared by test AUC with 95 % bootstrap CIs.
 */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const out = resolve(o.out);
  const sites = o.sites ?? DEMO_DEFAULTS.sites;
  const rounds = o.rounds ?? DEMO_DEFAULTS.rounds;
  const localEpochs = o.localEpochs ?? DEMO_DEFAULTS.localEpochs;
  const labelFraction = o.labelFraction ?? DEMO_DEFAULTS.labelFraction;
  const seed = o.seed ?? 1;
  const training = { ...DEMO_DEFAULTS.training, ...o.training, localEpochs, seed };
  mkdirSync(out, { recursive: true });

  log(`1/3 synthetic DICOM for ${sites} hospitals (${o.perSite ?? DEMO_DEFAULTS.perSite} images each)`);
  const dataDir = join(out, 'data');
  let lastShown = 0;
  const data = await generateDemoData({
    out: dataDir,
    sites,
    perSite: o.perSite ?? DEMO_DEFAULTS.perSite,
    seed,
    size: 256,
    testFraction: 0.25,
    absolutePaths: false,
    onProgress: (done: number, total: number) => {
      if (done === total || performance.now() - lastShown > 3000) {
        lastShown = performance.now();
        log(`    ${done}/${total} images`);
      }
    },
  });
  const [trainCsv, testCsv] = data.labelFiles as [string, string];

  log(`2/3 pretraining, concurrently: federated ${training.method} (${sites} site processes × ${rounds} rounds × ${localEpochs} local epochs over loopback) and centralised (one process, the pooled data, ${rounds * localEpochs} epochs)`);
  const progressShown = new Map<string, number>();
  const siteProgress = (run: string) => (e: Record<string, unknown>) => {
    if (e.type !== 'progress') return;
    const key = `${run}/${String(e.site)}`;
    if (performance.now() - (progressShown.get(key) ?? 0) < 20000) return;
    progressShown.set(key, performance.now());
    log(`    [${run}] ${String(e.site)}: round ${e.round}, step ${e.step}/${e.totalSteps}, loss ${Number(e.loss).toFixed(3)}, ${Number(e.imagesPerSecond).toFixed(1)} img/s`);
  };
  const quiet = (run: string) => (line: string) => {
    if (!line.startsWith('[')) log(`    [${run}] ${line}`);
  };
  const centralDir = join(out, 'centralised');
  // The centralised baseline is a one-site federation holding every image, trained for as many
  // epochs as the federation's sites train in all: same code path, same augmentation, same model.
  const [federation] = await Promise.all([
    simulate({
      sites: data.sites.map((s) => ({ name: s.id, dir: join(data.out, s.id) })),
      rounds,
      training,
      out: join(out, 'federated'),
      dtype: 'fp16',
      log: quiet('federated'),
      onSiteEvent: siteProgress('federated'),
      ...(o.onCoordinator ? { onCoordinator: o.onCoordinator } : {}),
    }),
    simulate({
      sites: [{ name: 'pooled', dir: data.out }],
      rounds: 1,
      training: { ...training, localEpochs: rounds * localEpochs },
      out: centralDir,
      dtype: 'fp32',
      log: quiet('centralised'),
      onSiteEvent: siteProgress('centralised'),
    }),
  ]);

  const spec = trainingSpec(training);
  // One classifier for all three rows, so only the encoder's starting point differs: a linear
  // head fitted on the encoder's features, then encoder and head trained together (LP-FT). From a
  // random initialisation this is ordinary full training from scratch.
  log(`3/3 anomaly classifiers with ${(labelFraction * 100).toFixed(0)} % of the training labels (the same classifier on each: linear head, then full fine-tuning)`);
  const variants: { name: string; encoder: string }[] = [
    { name: 'federated pretraining', encoder: join(out, 'federated', 'encoder') },
    { name: 'centralised pretraining', encoder: join(centralDir, 'encoder') },
    { name: 'from scratch', encoder: 'none' },
  ];
  const rows: DemoRow[] = [];
  for (const v of variants) {
    const report = await finetune({
      encoder: v.encoder,
      train: trainCsv,
      test: testCsv,
      out: join(out, 'classifiers', v.name.split(' ')[0]!),
      labelFraction,
      mode: 'full',
      seed,
      scratch: { arch: spec.arch, width: spec.width, inputSize: spec.inputSize, norm: spec.norm },
    });
    rows.push({ name: v.name, encoder: v.encoder, report });
    log(`    ${v.name}: AUC ${report.binary!.auc.estimate.toFixed(3)}`);
  }
  return { data: dataDir, federation, rows, seconds: (performance.now() - t0) / 1000 };
}

/** The comparison table printed at the end of `npm start`. */
export function comparisonTable(r: DemoResult): string {
  const ci = (v: { estimate: number; lo: number; hi: number }) => `${v.estimate.toFixed(3)} [${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]`;
  const first = r.rows[0]!.report;
  const lines = [
    `Anomaly detection with ${first.train!.n} labelled images (${((first.labelFraction ?? 1) * 100).toFixed(0)} % of ${Math.round(first.train!.n / (first.labelFraction ?? 1))}); test: ${first.test.n} images`,
    '',
    `${'encoder'.padEnd(26)}${'AUC [95% CI]'.padEnd(24)}${'sensitivity'.padEnd(26)}specificity`,
    ...r.rows.map((row) => {
      const b = row.report.binary!;
      return `${row.name.padEnd(26)}${ci(b.auc).padEnd(24)}${ci(b.sensitivity).padEnd(26)}${ci(b.specificity)}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateDemoData } from '@fedcl/dicom';
import type { Coordinator, ServerOptimizerConfig } from '@fedcl/server';
import { finetune } from '../finetune/finetune.js';
import type { ImageCache } from '../finetune/images.js';
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
  /** The federation's server optimiser (default DEMO_DEFAULTS.aggregator). */
  aggregator?: ServerOptimizerConfig;
  /** Also pretrain centralised on the pooled data (default true; the margin test skips it). */
  centralised?: boolean;
  /** Keep the test patients' images out of pretraining (default false: transductive). */
  holdOutTest?: boolean;
  /** Stratified draws of the labelled images per classifier (default 5). */
  draws?: number;
  /** Pretraining settings (see site/trainingSpec.ts). */
  training?: Record<string, number | string | boolean>;
  seed?: number;
  log?: (line: string) => void;
  onCoordinator?: (c: Coordinator) => void;
}

/** The defaults `npm start` runs: sized to finish in well under 10 minutes on 2 cores. */
export const DEMO_DEFAULTS = {
  sites: 3,
  perSite: 400,
  rounds: 8,
  localEpochs: 1,
  labelFraction: 0.05,
  draws: 5,
  // FedAvg with a server learning rate of 2 (Reddi et al. 2021, arXiv:2003.00295, §3): each
  // site runs a third of the centralised steps per epoch, and averaging their deltas moves the
  // model only as far as one of them; a step of 2× the mean delta recovers most of the gap to
  // centralised pretraining (measured in docs/demo-data.md; 1 and 3 were worse on this data).
  aggregator: { name: 'fedavg', serverLr: 2 } as ServerOptimizerConfig,
  training: { method: 'simclr', arch: 'smallcnn', width: 16, inputSize: 32, batchSize: 32, learningRate: 3e-3, seed: 1 },
};

export interface DemoRow {
  name: string;
  encoder: string;
  /** linear probe (pretrained encoders) or full training (from scratch). */
  mode: 'linear' | 'full';
  /** The first label draw's report (its AUC CI, sensitivity and specificity are printed). */
  report: EvaluationReport;
  /** One report per label draw. */
  reports: EvaluationReport[];
  /** Mean test AUC over the draws. */
  meanAuc: number;
}

export interface DemoTaskResult {
  key: 'xray' | 'mr';
  title: string;
  rows: DemoRow[];
}

export interface DemoResult {
  data: string;
  federation: SimulationReport;
  tasks: DemoTaskResult[];
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

  const withCentral = o.centralised ?? true;
  // By default the sites pretrain on all their images, the test patients' included (unlabelled:
  // transductive). `holdOutTest` keeps those out of pretraining; see docs/demo-data.md for what
  // that does to the comparison.
  const holdout = o.holdOutTest ? { holdout: join(data.out, 'labels', 'test.csv') } : {};
  log(`2/3 pretraining${withCentral ? ', concurrently' : ''}: federated ${training.method} (${sites} site processes × ${rounds} rounds × ${localEpochs} local epochs over loopback)${withCentral ? ` and centralised (one process, the pooled data, ${rounds * localEpochs} epochs)` : ''}`);
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
      sites: data.sites.map((s) => ({ name: s.id, dir: join(data.out, s.id), ...holdout })),
      rounds,
      training,
      out: join(out, 'federated'),
      dtype: 'fp16',
      aggregator: o.aggregator ?? DEMO_DEFAULTS.aggregator,
      log: quiet('federated'),
      onSiteEvent: siteProgress('federated'),
      ...(o.onCoordinator ? { onCoordinator: o.onCoordinator } : {}),
    }),
    withCentral
      ? simulate({
          sites: [{ name: 'pooled', dir: data.out, ...holdout }],
          rounds: 1,
          training: { ...training, localEpochs: rounds * localEpochs },
          out: centralDir,
          dtype: 'fp32',
          log: quiet('centralised'),
          onSiteEvent: siteProgress('centralised'),
        })
      : undefined,
  ]);

  const spec = trainingSpec(training);
  // Each encoder gets the classifier that suits it with a few labels: a pretrained encoder is
  // frozen and a linear head (logistic regression) is fitted on its features (the standard
  // few-label evaluation of self-supervised features, SimCLR §4); from scratch there are no
  // features to freeze, so the same encoder is trained end to end (linear head first, then all
  // layers: what a clinic without pretraining would do). One classifier per modality, as a
  // clinic would deploy them. With a few labels the draw of labelled images matters as much as
  // the encoder, so each row is repeated over `draws` stratified draws (the same draws for
  // every encoder) and compared by the mean.
  const draws = o.draws ?? DEMO_DEFAULTS.draws;
  log(`3/3 anomaly classifiers with ${(labelFraction * 100).toFixed(0)} % of the training labels, ${draws} label draws each (pretrained encoders: linear probe; from scratch: full training)`);
  const variants: { name: string; encoder: string; mode: 'linear' | 'full' }[] = [
    { name: 'federated pretraining', encoder: join(out, 'federated', 'encoder'), mode: 'linear' },
    ...(withCentral ? [{ name: 'centralised pretraining', encoder: join(centralDir, 'encoder'), mode: 'linear' as const }] : []),
    { name: 'from scratch', encoder: 'none', mode: 'full' },
  ];
  const imageCache: ImageCache = new Map();
  const tasks: DemoTaskResult[] = [];
  for (const [key, title] of [['xray', 'Chest X-ray nodules (CR, DX)'], ['mr', 'Brain MR lesions']] as const) {
    const files = data.tasks[key];
    const rows: DemoRow[] = [];
    for (const v of variants) {
      const reports: EvaluationReport[] = [];
      for (let d = 0; d < draws; d++) {
        reports.push(
          await finetune({
            encoder: v.encoder,
            train: files.train,
            test: files.test,
            out: join(out, 'classifiers', key, v.name.split(' ')[0]!, `draw-${d + 1}`),
            labelFraction,
            mode: v.mode,
            seed: seed + d,
            imageCache,
            scratch: { arch: spec.arch, width: spec.width, inputSize: spec.inputSize, norm: spec.norm },
          }),
        );
      }
      const row: DemoRow = { name: v.name, encoder: v.encoder, mode: v.mode, report: reports[0]!, reports, meanAuc: mean(reports.map((r) => r.binary!.auc.estimate)) };
      rows.push(row);
      log(`    ${title}, ${v.name}: AUC ${reports.map((r) => r.binary!.auc.estimate.toFixed(3)).join(', ')} (mean ${row.meanAuc.toFixed(3)})`);
    }
    tasks.push({ key, title, rows });
  }
  const result: DemoResult = { data: dataDir, federation, tasks, seconds: (performance.now() - t0) / 1000 };
  writeFileSync(join(out, 'comparison.json'), `${JSON.stringify(comparisonJson(result, { labelFraction, draws, training, rounds, localEpochs, aggregator: o.aggregator ?? DEMO_DEFAULTS.aggregator }), null, 2)}\n`);
  return result;
}

function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** What `comparison.json` holds: the settings, and per task and encoder every draw's AUC with its CI. */
export function comparisonJson(r: DemoResult, settings: Record<string, unknown>): Record<string, unknown> {
  return {
    settings,
    seconds: r.seconds,
    tasks: r.tasks.map((t) => ({
      task: t.key,
      title: t.title,
      rows: t.rows.map((row) => ({
        encoder: row.name,
        classifier: row.mode,
        meanAuc: row.meanAuc,
        draws: row.reports.map((x) => ({ seed: x.seed, train: x.train, test: x.test, auc: x.binary!.auc, sensitivity: x.binary!.sensitivity, specificity: x.binary!.specificity })),
      })),
    })),
  };
}

/** The comparison tables printed at the end of `npm start`, one per anomaly task. */
export function comparisonTable(r: DemoResult): string {
  const ci = (v: { estimate: number; lo: number; hi: number }) => `${v.estimate.toFixed(3)} [${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]`;
  const blocks = r.tasks.map((t) => {
    const first = t.rows[0]!.report;
    const pos = (p: Record<string, number>) => p[first.positiveClass ?? '1'] ?? 0;
    const draws = t.rows[0]!.reports.length;
    return [
      `${t.title}: ${first.train!.n} labelled images (${((first.labelFraction ?? 1) * 100).toFixed(0)} %, ${pos(first.train!.perClass)} with an anomaly); test ${first.test.n} images (${pos(first.test.perClass)} with an anomaly)`,
      `${'encoder (classifier)'.padEnd(40)}${`mean AUC, ${draws} draw${draws > 1 ? 's' : ''}`.padEnd(20)}${'AUC [95% CI], draw 1'.padEnd(26)}${'sensitivity, draw 1'.padEnd(26)}specificity, draw 1`,
      ...t.rows.map((row) => {
        const b = row.report.binary!;
        return `${`${row.name} (${row.mode === 'linear' ? 'linear probe' : 'full training'})`.padEnd(40)}${row.meanAuc.toFixed(3).padEnd(20)}${ci(b.auc).padEnd(26)}${ci(b.sensitivity).padEnd(26)}${ci(b.specificity)}`;
      }),
    ].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

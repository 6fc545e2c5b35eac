import * as tf from '@tensorflow/tfjs-core';
// side effect: the tfjs-layers Node bundle registers tfjs-core's gradients, which the Node
// build of tfjs-core lacks
import '@tensorflow/tfjs-layers';
import { Rng } from '../augment/rng.js';
import type { SslMethod } from '../methods/types.js';
import type { Batch, BatchSource, MakeViews } from './batch.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint, type BackendInfo, type TrainMetrics } from './checkpoint.js';
import { clipByGlobalNorm, globalNorm } from './clipByGlobalNorm.js';
import { proximalTerm } from './fedProx.js';
import { knnMonitorAccuracy, type KnnMonitorConfig } from './knnMonitor.js';
import { createOptimizer } from './optim/createOptimizer.js';
import type { Optimizer } from './optim/types.js';
import { ThroughputMeter, type TrainProgress } from './progress.js';
import { warmupCosineLr, type WarmupCosineConfig } from './schedule.js';
import { stepSeed } from './stepSeed.js';
import { resolveTrainerConfig, TrainerConfigError, type TrainerConfig } from './trainerConfig.js';

/** The part of an SslMethod the trainer uses. */
export type TrainableMethod = Pick<SslMethod, 'name' | 'encoder' | 'trainableVariables' | 'loss' | 'afterStep' | 'weights' | 'setWeights'>;

export interface TrainerOptions {
  method: TrainableMethod;
  source: BatchSource;
  makeViews: MakeViews;
  config: TrainerConfig;
  /** Called after every step. */
  onProgress?: (p: TrainProgress) => void;
  /** Called after every epoch with its mean loss and, when the monitor ran, the kNN accuracy. */
  onEpochEnd?: (e: { epoch: number; step: number; loss: number; knnAccuracy?: number }) => void;
  monitor?: KnnMonitorConfig;
  /** Written into checkpoint manifests (the BackendReport of `initBackend`). */
  backend?: BackendInfo;
  /** Written into checkpoint manifests so a checkpoint says how to rebuild the method. */
  methodConfig?: unknown;
  /** Where `checkpointEvery` and the end of `run` save. */
  checkpointDir?: string;
}

export interface TrainResult {
  /** True when all epochs are done (false when stopped by maxSteps or the abort signal). */
  finished: boolean;
  step: number;
  metrics: TrainMetrics;
}

export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
}

/**
 * Contrastive pretraining loop. Per step: two views of the batch (`makeViews`, seeded from
 * (seed, step)), loss and gradients of the method (+ FedProx term), optional clipping by global
 * norm, one optimizer step at the warmup+cosine learning rate, then `method.afterStep`
 * (EMA/queue). Every tensor a step allocates is released before the next one.
 *
 * Resume contract: training N steps equals training k steps, `checkpoint`, `Trainer.resume` in a
 * fresh process, then N − k steps — given a BatchSource that replays each epoch identically.
 */
export class Trainer {
  readonly config: Required<TrainerConfig>;
  private readonly method: TrainableMethod;
  private readonly source: BatchSource;
  private readonly makeViews: MakeViews;
  private readonly optimizer: Optimizer;
  private readonly schedule: WarmupCosineConfig;
  private anchors: (tf.Tensor | undefined)[] | undefined;
  private step = 0;
  private epoch = 0;
  private stepInEpoch = 0;
  private metrics: TrainMetrics = { epochLoss: [], knn: [], currentEpoch: { lossSum: 0, steps: 0 } };

  constructor(private readonly options: TrainerOptions) {
    this.config = resolveTrainerConfig(options.config);
    this.method = options.method;
    this.source = options.source;
    this.makeViews = options.makeViews;
    if (!(this.source.batchesPerEpoch >= 1)) {
      throw new TrainerConfigError(`the batch source yields ${this.source.batchesPerEpoch} batches per epoch: it needs at least one (fewer images than the batch size?)`);
    }
    const totalSteps = this.config.epochs * this.source.batchesPerEpoch;
    this.schedule = {
      baseLr: this.config.lr,
      minLr: this.config.minLr,
      totalSteps,
      warmupSteps: Math.min(totalSteps, Math.round(this.config.warmupEpochs * this.source.batchesPerEpoch)),
    };
    this.optimizer = createOptimizer(this.config.optimizer);
  }

  get totalSteps(): number {
    return this.schedule.totalSteps;
  }

  /** Position in the run. */
  get position(): { step: number; epoch: number; stepInEpoch: number } {
    return { step: this.step, epoch: this.epoch, stepInEpoch: this.stepInEpoch };
  }

  /**
   * FedProx: remembers the current values of the encoder's trainable variables as w_global
   * (call right after loading the round's global weights). Heads and predictors stay local and
   * get no proximal term.
   */
  setProxAnchor(): void {
    this.clearAnchors();
    const encoderVars = new Set(this.method.encoder.trainableVariables());
    this.anchors = this.method.trainableVariables().map((v) => (encoderVars.has(v) ? tf.keep(tf.clone(v)) : undefined));
  }

  /**
   * Trains until every epoch is done, or `maxSteps` more steps, or `signal` aborts (checked
   * between steps). Saves a checkpoint at the end when `checkpointDir` is set.
   */
  async run(opts: { maxSteps?: number; signal?: AbortSignal } = {}): Promise<TrainResult> {
    const stopAt = opts.maxSteps === undefined ? Infinity : this.step + opts.maxSteps;
    const meter = new ThroughputMeter();
    const { epochs } = this.config;
    const perEpoch = this.source.batchesPerEpoch;
    while (this.epoch < epochs) {
      let index = 0;
      // timed from the end of the previous step, so images/s includes waiting for the loader
      let since = meter.start();
      for await (const batch of this.source.epoch(this.epoch)) {
        if (index++ < this.stepInEpoch) continue;
        if (this.stepInEpoch >= perEpoch) break;
        if (this.step >= stopAt || opts.signal?.aborted) return this.stop(false);
        const { loss, lr, gradNorm } = this.trainStep(batch);
        meter.end(since, batch.shape[0]);
        this.options.onProgress?.({
          epoch: this.epoch,
          epochs,
          step: this.step,
          totalSteps: this.totalSteps,
          loss,
          epochLoss: this.metrics.currentEpoch.lossSum / this.metrics.currentEpoch.steps,
          lr,
          gradNorm,
          imagesPerSec: meter.imagesPerSec,
          etaSeconds: meter.eta(this.totalSteps - this.step),
        });
        if (this.options.checkpointDir && this.config.checkpointEvery > 0 && this.step % this.config.checkpointEvery === 0) {
          await this.checkpoint(this.options.checkpointDir);
        }
        since = meter.start();
      }
      this.endEpoch();
    }
    return this.stop(true);
  }

  /** One optimizer step on one batch. */
  private trainStep(batch: Batch): { loss: number; lr: number; gradNorm: number } {
    const [b, h, w, c] = batch.shape;
    if (batch.images.length !== b * h * w * c) {
      throw new RangeError(`batch images hold ${batch.images.length} values, shape [${batch.shape}] needs ${b * h * w * c}`);
    }
    const lr = warmupCosineLr(this.step, this.schedule);
    const vars = this.method.trainableVariables();
    const images = tf.tensor4d(batch.images, batch.shape);
    const labels = batch.labels ? tf.tensor1d(batch.labels, 'int32') : undefined;
    let views: tf.Tensor4D[] = [];
    let grads: tf.Tensor[] = [];
    let value: tf.Scalar | undefined;
    try {
      views = this.makeViews(images, new Rng(stepSeed(this.config.seed, this.step)), batch);
      const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
      const anchored = this.anchors && this.config.fedProxMu > 0 ? this.anchoredPairs(vars) : undefined;
      const out = tf.variableGrads(() => {
        const l = this.method.loss(v1, v2, labels);
        return anchored ? tf.add(l, proximalTerm(anchored.vars, anchored.anchors, this.config.fedProxMu)) : l;
      }, vars);
      value = out.value;
      // variables the loss does not reach get no gradient from tfjs: treat as zero
      grads = vars.map((v) => out.grads[v.name] ?? tf.zerosLike(v));
      const loss = value.dataSync()[0]!;
      if (!Number.isFinite(loss)) {
        throw new TrainingDivergedError(`loss is ${loss} at step ${this.step} (lr ${lr}): lower the learning rate or set clipNorm`);
      }
      let gradNorm: number;
      if (this.config.clipNorm > 0) {
        const clipped = clipByGlobalNorm(grads, this.config.clipNorm);
        tf.dispose(grads);
        grads = clipped.clipped;
        gradNorm = clipped.norm;
      } else {
        const n = globalNorm(grads);
        gradNorm = n.dataSync()[0]!;
        n.dispose();
      }
      this.optimizer.apply(vars, grads, lr);
      this.method.afterStep(this.step, this.totalSteps);
      this.step++;
      this.stepInEpoch++;
      this.metrics.currentEpoch.lossSum += loss;
      this.metrics.currentEpoch.steps++;
      return { loss, lr, gradNorm };
    } finally {
      tf.dispose([images, ...views, ...grads]);
      if (labels) labels.dispose();
      if (value) value.dispose();
    }
  }

  private anchoredPairs(vars: readonly tf.Variable[]): { vars: tf.Variable[]; anchors: tf.Tensor[] } {
    const anchors = this.anchors!;
    if (anchors.length !== vars.length) {
      throw new RangeError(`FedProx anchors cover ${anchors.length} variables, the method has ${vars.length}: call setProxAnchor again`);
    }
    const out = { vars: [] as tf.Variable[], anchors: [] as tf.Tensor[] };
    anchors.forEach((a, i) => {
      if (a) {
        out.vars.push(vars[i]!);
        out.anchors.push(a);
      }
    });
    return out;
  }

  private endEpoch(): void {
    const { lossSum, steps } = this.metrics.currentEpoch;
    const loss = steps > 0 ? lossSum / steps : Number.NaN;
    this.metrics.epochLoss.push(loss);
    this.metrics.currentEpoch = { lossSum: 0, steps: 0 };
    const done = this.epoch + 1;
    let knnAccuracy: number | undefined;
    const m = this.options.monitor;
    if (m && (done % (m.every ?? 1) === 0 || done === this.config.epochs)) {
      knnAccuracy = knnMonitorAccuracy(this.method.encoder, m);
      this.metrics.knn.push({ epoch: this.epoch, step: this.step, accuracy: knnAccuracy });
    }
    this.options.onEpochEnd?.({ epoch: this.epoch, step: this.step, loss, ...(knnAccuracy === undefined ? {} : { knnAccuracy }) });
    this.epoch = done;
    this.stepInEpoch = 0;
  }

  private async stop(finished: boolean): Promise<TrainResult> {
    if (this.options.checkpointDir) await this.checkpoint(this.options.checkpointDir);
    return { finished, step: this.step, metrics: structuredClone(this.metrics) };
  }

  /** Saves weights, optimizer state, FedProx anchors, position and metrics to `dir`. */
  async checkpoint(dir: string): Promise<void> {
    const { federated, local } = this.method.weights();
    const opt = this.optimizer.getState();
    const prox = new Map<string, tf.Tensor>();
    this.anchors?.forEach((a, i) => a && prox.set(String(i), a));
    try {
      await saveCheckpoint(
        dir,
        {
          method: this.method.name,
          methodConfig: this.options.methodConfig ?? null,
          trainer: this.config,
          backend: this.options.backend ?? null,
          dataFingerprint: this.source.fingerprint ?? null,
          progress: { step: this.step, epoch: this.epoch, stepInEpoch: this.stepInEpoch, totalSteps: this.totalSteps },
          optimizer: { config: this.optimizer.config, iterations: opt.iterations },
          rng: { seed: this.config.seed, scheme: 'stepSeed(seed, step)' },
          proxAnchor: this.anchors !== undefined,
          metrics: this.metrics,
        },
        { federated, local, optimizer: opt.slots, prox },
      );
    } finally {
      tf.dispose([...opt.slots.values()]);
    }
  }

  /**
   * A trainer continuing the run saved in `dir`: method weights, optimizer state, FedProx
   * anchors, position and metrics are restored. `options.config` defaults to the checkpoint's;
   * when given it may only change `epochs` and `checkpointEvery` (anything else would not
   * continue the same run).
   */
  static async resume(dir: string, options: Omit<TrainerOptions, 'config'> & { config?: TrainerConfig }): Promise<Trainer> {
    const { manifest, tensors } = await loadCheckpoint(dir);
    try {
      if (manifest.method !== options.method.name) {
        throw new CheckpointError(`checkpoint ${dir} was trained with ${manifest.method}, not ${options.method.name}`);
      }
      const fp = options.source.fingerprint ?? null;
      if (manifest.dataFingerprint !== fp) {
        throw new CheckpointError(`checkpoint ${dir} was trained on data ${manifest.dataFingerprint}, this source is ${fp}: resume on the same data or start a new run`);
      }
      const config = options.config ? resolveTrainerConfig(options.config) : manifest.trainer;
      const strip = (c: Required<TrainerConfig>) => JSON.stringify({ ...c, epochs: 0, checkpointEvery: 0 });
      if (strip(config) !== strip(manifest.trainer)) {
        throw new CheckpointError(`trainer config differs from the checkpoint's beyond epochs/checkpointEvery: ${JSON.stringify(manifest.trainer)}`);
      }
      const trainer = new Trainer({ ...options, config });
      options.method.setWeights(tensors.federated, tensors.local);
      trainer.optimizer.setState({ iterations: manifest.optimizer.iterations, slots: tensors.optimizer });
      if (manifest.proxAnchor) {
        const n = options.method.trainableVariables().length;
        trainer.anchors = Array.from({ length: n }, (_, i) => {
          const a = tensors.prox.get(String(i));
          return a ? tf.keep(tf.clone(a)) : undefined;
        });
      }
      trainer.step = manifest.progress.step;
      trainer.epoch = manifest.progress.epoch;
      trainer.stepInEpoch = manifest.progress.stepInEpoch;
      trainer.metrics = structuredClone(manifest.metrics);
      return trainer;
    } finally {
      for (const g of Object.values(tensors)) tf.dispose([...g.values()]);
    }
  }

  /** Releases the optimizer state and FedProx anchors (not the method). */
  dispose(): void {
    this.optimizer.dispose();
    this.clearAnchors();
  }

  private clearAnchors(): void {
    this.anchors?.forEach((a) => a?.dispose());
    this.anchors = undefined;
  }
}

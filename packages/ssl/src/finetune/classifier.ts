import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { augmentBatch } from '../augment/augmentBatch.js';
import type { AugmentConfig } from '../augment/types.js';
import { embedImages } from '../eval/embed.js';
import { Adam } from '../train/optim/adam.js';
import type { Encoder } from '../models/types.js';
import type { ImageSet } from '../train/memorySource.js';
import { balancedSampleWeights } from './classWeights.js';

/**
 * A downstream classifier on a (pretrained) encoder: logits = ((f(x) − μ) / σ) W + b, with
 * f the encoder's pooled features and μ, σ standardisation fixed from the training features.
 *
 * - `linear`: the encoder is frozen; only W, b are fitted (a linear probe, SimCLR §4).
 * - `full`: W, b are first fitted as in `linear`, then encoder and head train together, the
 *   encoder at a smaller learning rate (LP-FT, Kumar et al. 2022, arXiv:2202.10054: fitting the
 *   head first keeps the pretrained features from being distorted by a random head).
 *
 * Class imbalance: the cross-entropy is weighted per sample so each class has equal total
 * weight (`balancedSampleWeights`).
 */
export interface ClassifierOptions {
  mode: 'linear' | 'full';
  /** Full-batch iterations of the head fit (default 300). */
  headIterations?: number;
  /** Head learning rate, Adam (default 0.01). */
  headLr?: number;
  /** L2 penalty on W (default 1e-3). */
  l2?: number;
  /** Full mode: epochs over the training images (default 30). */
  epochs?: number;
  /** Full mode: learning rate of the head; the encoder gets lr × encoderLrScale (defaults 1e-3, 0.1). */
  lr?: number;
  encoderLrScale?: number;
  /** Full mode: batch size (default 16). */
  batchSize?: number;
  /** Full mode: augmentation of training images (default none). */
  augment?: AugmentConfig;
  /** Balance classes in the loss (default true). */
  balanced?: boolean;
  seed?: number;
  onEpoch?: (e: { epoch: number; epochs: number; loss: number }) => void;
}

export interface Classifier {
  readonly encoder: Encoder;
  readonly numClasses: number;
  /** [D] feature standardisation. */
  readonly mean: tf.Tensor1D;
  readonly std: tf.Tensor1D;
  /** [D, C] and [C]. */
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

export class ClassifierError extends Error {
  override readonly name = 'ClassifierError';
}

/** logits [N, C] of a batch x [N,H,W,C] (inside the caller's tidy). */
function logits(c: Classifier, x: tf.Tensor4D, training: boolean): tf.Tensor2D {
  const f = c.encoder.apply(x, training);
  return tf.add(tf.matMul(tf.div(tf.sub(f, c.mean), c.std), c.kernel as tf.Tensor2D), c.bias) as tf.Tensor2D;
}

/** Weighted mean cross-entropy + (l2/2)‖W‖². logits [N,C], labels [N] int32, weights [N]. */
function weightedLoss(z: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D, kernel: tf.Tensor, l2: number, numClasses: number): tf.Scalar {
  const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, numClasses), tf.logSoftmax(z)), 1));
  const data = tf.div(tf.sum(tf.mul(ce, weights)), tf.sum(weights));
  return tf.add(data, tf.mul(l2 / 2, tf.sum(tf.square(kernel)))) as tf.Scalar;
}

function checkLabels(labels: Int32Array, n: number, numClasses: number): void {
  if (labels.length !== n) throw new ClassifierError(`${n} images but ${labels.length} labels`);
  if (numClasses < 2) throw new ClassifierError(`a classifier needs at least 2 classes, got ${numClasses}`);
  const seen = new Set<number>();
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new ClassifierError(`label ${l} outside [0, ${numClasses})`);
    seen.add(l);
  }
  if (seen.size < 2) throw new ClassifierError(`the training labels hold a single class (${[...seen].join()}): at least two are needed`);
}

/**
 * Fits a classifier on `train` ([N,H,W,C] images, [N] labels). The encoder is used in place
 * (full mode changes its weights); the returned classifier owns the head tensors.
 */
export function fitClassifier(encoder: Encoder, train: ImageSet & { labels: Int32Array }, numClasses: number, o: ClassifierOptions): Classifier {
  const n = train.shape[0];
  checkLabels(train.labels, n, numClasses);
  const l2 = o.l2 ?? 1e-3;
  const weights = o.balanced === false ? new Float32Array(n).fill(1) : balancedSampleWeights(train.labels, numClasses);
  const features = embedImages(encoder, train);
  const [mean, std] = tf.tidy(() => {
    const m = tf.moments(features, 0);
    return [m.mean as tf.Tensor1D, tf.add(tf.sqrt(m.variance), 1e-6) as tf.Tensor1D];
  });
  const d = encoder.featureDim;
  const kernel = tf.tidy(() => tf.variable(tf.zeros([d, numClasses]), true));
  const bias = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true));
  const c: Classifier = { encoder, numClasses, mean, std, kernel, bias };

  // Head fit on frozen, standardised features: convex, full batch.
  const x = tf.tidy(() => tf.div(tf.sub(features, mean), std));
  features.dispose();
  const y = tf.tensor1d(train.labels, 'int32');
  const w = tf.tensor1d(weights);
  const headOpt = new Adam();
  const head = [kernel, bias];
  for (let i = 0; i < (o.headIterations ?? 300); i++) {
    const { value, grads } = tf.variableGrads(() => weightedLoss(tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D, y, w, kernel, l2, numClasses), head);
    headOpt.apply(head, head.map((v) => grads[v.name]!), o.headLr ?? 0.01);
    tf.dispose([value, ...Object.values(grads)]);
  }
  headOpt.dispose();
  x.dispose();

  if (o.mode === 'full') {
    const epochs = o.epochs ?? 30;
    const batchSize = Math.min(o.batchSize ?? 16, n);
    const lr = o.lr ?? 1e-3;
    const encOpt = new Adam();
    const hOpt = new Adam();
    const encVars = encoder.trainableVariables();
    const [, h, wd, ch] = train.shape;
    const px = h * wd * ch;
    let seed = (o.seed ?? 0) * 7919 + 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let lossSum = 0;
      let batches = 0;
      for (let s = 0; s + 1 < n; s += batchSize) {
        const idx = order.slice(s, s + batchSize);
        if (idx.length < 2) continue;
        const batch = new Float32Array(idx.length * px);
        idx.forEach((k, r) => batch.set(train.images.subarray(k * px, (k + 1) * px), r * px));
        const bl = tf.tensor1d(Int32Array.from(idx, (k) => train.labels[k]!), 'int32');
        const bw = tf.tensor1d(Float32Array.from(idx, (k) => weights[k]!));
        const raw = tf.tensor4d(batch, [idx.length, h, wd, ch]);
        const xb = o.augment ? augmentBatch(raw, o.augment, Math.floor(rand() * 2 ** 31)) : raw;
        const { value, grads } = tf.variableGrads(() => weightedLoss(logits(c, xb, true), bl, bw, kernel, l2, numClasses), [...encVars, kernel, bias]);
        encOpt.apply(encVars, encVars.map((v) => grads[v.name]!), lr * (o.encoderLrScale ?? 0.1));
        hOpt.apply(head, head.map((v) => grads[v.name]!), lr);
        lossSum += value.dataSync()[0]!;
        batches++;
        tf.dispose([value, ...Object.values(grads), bl, bw, raw, xb]);
      }
      o.onEpoch?.({ epoch, epochs, loss: lossSum / Math.max(1, batches) });
    }
    encOpt.dispose();
    hOpt.dispose();
  }
  y.dispose();
  w.dispose();
  return c;
}

/**
 * Class probabilities of images [N,H,W,C] → Float32Array [N·C] row-major (softmax), in
 * inference mode.
 */
export function classifierProbabilities(c: Classifier, set: ImageSet, batchSize = 64): Float32Array {
  const [n, h, w, ch] = set.shape;
  const px = h * w * ch;
  const out = new Float32Array(n * c.numClasses);
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const p = tf.tidy(() => tf.softmax(logits(c, tf.tensor4d(set.images.subarray(s * px, (s + m) * px), [m, h, w, ch]), false)));
    out.set(p.dataSync() as Float32Array, s * c.numClasses);
    p.dispose();
  }
  return out;
}

/** Releases the head tensors and the encoder. */
export function disposeClassifier(c: Classifier): void {
  tf.dispose([c.mean, c.std, c.kernel, c.bias]);
  c.encoder.dispose();
}

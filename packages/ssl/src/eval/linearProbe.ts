import * as tf from '@tensorflow/tfjs-core';
// side effect: the tfjs-layers Node bundle registers tfjs-core's gradients, which the Node
// build of tfjs-core lacks
import '@tensorflow/tfjs-layers';
import { Adam } from '../train/optim/adam.js';
import { warmupCosineLr } from '../train/schedule.js';

/**
 * Linear probe: multinomial logistic regression on frozen, standardised features — the standard
 * evaluation of self-supervised encoders (SimCLR §4, arXiv:2002.05709). Minimises
 * J(W,b) = mean_i CE(softmax(x̂_i W + b), y_i) + (λ/2)‖W‖², x̂ = (x − μ)/σ with μ, σ from the
 * training features, full batch, Adam with a cosine-decayed learning rate. J is strictly convex
 * for λ > 0, so the solution does not depend on the optimiser (the test checks it against
 * PyTorch's L-BFGS and against a zero gradient).
 */
export interface LinearProbeOptions {
  /** λ, the L2 penalty on W (default 1e-3). */
  l2?: number;
  /** Full-batch iterations (default 500). */
  iterations?: number;
  /** Peak Adam learning rate (default 0.1). */
  lr?: number;
  /** Classes; default max(label)+1. */
  numClasses?: number;
}

export interface LinearProbe {
  dim: number;
  numClasses: number;
  /** [D] standardisation. */
  mean: Float32Array;
  std: Float32Array;
  /** [D×C] row-major. */
  weights: Float32Array;
  /** [C]. */
  bias: Float32Array;
  /** Final objective J. */
  loss: number;
}

export class LinearProbeError extends Error {
  override name = 'LinearProbeError';
}

/**
 * @param features [N,D] frozen embeddings (not disposed)
 * @param labels [N] class indices
 */
export function fitLinearProbe(features: tf.Tensor2D, labels: Int32Array, options: LinearProbeOptions = {}): LinearProbe {
  const [n, d] = features.shape;
  if (labels.length !== n) throw new LinearProbeError(`${n} feature rows but ${labels.length} labels`);
  if (n === 0) throw new LinearProbeError('no training examples for the linear probe');
  const numClasses = options.numClasses ?? Math.max(...labels) + 1;
  if (numClasses < 2) throw new LinearProbeError(`a linear probe needs ≥ 2 classes, got ${numClasses}`);
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new LinearProbeError(`label ${l} outside [0, ${numClasses})`);
  }
  const l2 = options.l2 ?? 1e-3;
  const iterations = options.iterations ?? 500;
  const lr = options.lr ?? 0.1;

  const [meanT, stdT] = tf.tidy(() => {
    const { mean, variance } = tf.moments(features, 0);
    return [mean, tf.maximum(tf.sqrt(variance), 1e-6)];
  });
  const x = tf.tidy(() => tf.div(tf.sub(features, meanT), stdT));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses));
  const w = zeroVariable([d, numClasses]);
  const b = zeroVariable([numClasses]);
  const opt = new Adam();
  const objective = () =>
    tf.tidy(() => {
      const logits = tf.add(tf.matMul(x, w), b);
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), 1)));
      return tf.add(ce, tf.mul(l2 / 2, tf.sum(tf.square(w)))) as tf.Scalar;
    });
  try {
    const schedule = { baseLr: lr, warmupSteps: 0, totalSteps: iterations, minLr: 0 };
    for (let it = 0; it < iterations; it++) {
      const { value, grads } = tf.variableGrads(objective, [w, b]);
      opt.apply([w, b], [grads[w.name]!, grads[b.name]!], warmupCosineLr(it, schedule));
      tf.dispose([value, ...Object.values(grads)]);
    }
    const final = objective();
    const probe: LinearProbe = {
      dim: d,
      numClasses,
      mean: meanT.dataSync() as Float32Array,
      std: stdT.dataSync() as Float32Array,
      weights: w.dataSync() as Float32Array,
      bias: b.dataSync() as Float32Array,
      loss: final.dataSync()[0]!,
    };
    final.dispose();
    return probe;
  } finally {
    opt.dispose();
    tf.dispose([meanT, stdT, x, y, w, b]);
  }
}

/** tf.variable() keeps its initial tensor alive beside the variable; dispose it. */
function zeroVariable(shape: number[]): tf.Variable {
  const init = tf.zeros(shape);
  const v = tf.variable(init);
  init.dispose();
  return v;
}

/** Class probabilities. features [M,D] → [M×C] row-major. */
export function probeProbabilities(probe: LinearProbe, features: tf.Tensor2D): Float32Array {
  if (features.shape[1] !== probe.dim) throw new LinearProbeError(`features have dimension ${features.shape[1]}, the probe ${probe.dim}`);
  const p = tf.tidy(() => {
    const x = tf.div(tf.sub(features, tf.tensor1d(probe.mean)), tf.tensor1d(probe.std));
    const logits = tf.add(tf.matMul(x, tf.tensor2d(probe.weights, [probe.dim, probe.numClasses])), tf.tensor1d(probe.bias));
    return tf.softmax(logits);
  });
  const out = p.dataSync() as Float32Array;
  p.dispose();
  return out;
}

/** Most probable class per row. features [M,D] → [M]. */
export function probePredict(probe: LinearProbe, features: tf.Tensor2D): Int32Array {
  const p = probeProbabilities(probe, features);
  const m = features.shape[0];
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    let best = 0;
    for (let c = 1; c < probe.numClasses; c++) if (p[i * probe.numClasses + c]! > p[i * probe.numClasses + best]!) best = c;
    out[i] = best;
  }
  return out;
}

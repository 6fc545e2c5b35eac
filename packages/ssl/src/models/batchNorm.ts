import * as tf from '@tensorflow/tfjs-core';

/** Running statistics of one BatchNorm layer (non-federated local state). */
export interface BatchNormState {
  movingMean: tf.Variable;
  movingVariance: tf.Variable;
}

/**
 * Batch normalisation [0] over every axis but the last (channels), torch.nn.BatchNorm semantics:
 * training uses the batch's biased variance and updates the running stats in place with
 * momentum (new = (1−m)·old + m·batch, running variance unbiased); inference uses the running stats.
 * The running-stat update is outside the gradient (variables not given to the optimizer).
 *
 * [0] Batch Normalization, Ioffe & Szegedy 2015, arXiv:1502.03167, Algorithm 1.
 *
 * @param x [N,H,W,C] or [N,C]; gamma, beta [C]. Returns the shape of x.
 */
export function batchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  state: BatchNormState,
  training: boolean,
  momentum = 0.1,
  eps = 1e-5,
): tf.Tensor {
  return tf.tidy(() => {
    if (!training) return tf.batchNorm(x, state.movingMean, state.movingVariance, beta, gamma, eps);
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const count = x.size / x.shape[x.rank - 1]!;
    const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
    state.movingMean.assign(tf.add(tf.mul(state.movingMean, 1 - momentum), tf.mul(mean, momentum)));
    state.movingVariance.assign(tf.add(tf.mul(state.movingVariance, 1 - momentum), tf.mul(unbiased, momentum)));
    return tf.batchNorm(x, mean, variance, beta, gamma, eps);
  });
}

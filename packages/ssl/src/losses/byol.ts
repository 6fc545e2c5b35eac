import * as tf from '@tensorflow/tfjs-core';
import { checkPair } from './shapes.js';
import { l2Normalize } from './l2Normalize.js';

/**
 * BYOL's symmetric normalised mean squared error.
 *
 * [0] BYOL, Grill et al. 2020, arXiv:2006.07733, Eq. (2) and the symmetrised loss L + L̃ (§3.1).
 *
 * Returns `(p1 [N,D], p2 [N,D], t1 [N,D], t2 [N,D]) → scalar`: p1, p2 the online predictions of
 * view 1 and 2; t1, t2 the target projections of view 1 and 2 (constants to the optimizer).
 * L = mean_i ‖p̄1_i − t̄2_i‖² + mean_i ‖p̄2_i − t̄1_i‖², x̄ = x/‖x‖, so each term is 2 − 2·cos
 * and L ∈ [0, 8]; L = 0 iff each prediction points along the other view's target.
 */
export function byolLoss(): (p1: tf.Tensor2D, p2: tf.Tensor2D, t1: tf.Tensor2D, t2: tf.Tensor2D) => tf.Scalar {
  return (p1, p2, t1, t2) => {
    checkPair('byolLoss', p1, p2);
    checkPair('byolLoss', p1, t1);
    checkPair('byolLoss', p1, t2);
    return tf.tidy(() => {
      const term = (p: tf.Tensor2D, t: tf.Tensor2D) =>
        tf.mean(tf.sum(tf.square(tf.sub(l2Normalize(p), l2Normalize(t))), 1));
      return tf.add(term(p1, t2), term(p2, t1)) as tf.Scalar;
    });
  };
}

import * as tf from '@tensorflow/tfjs-core';
import { checkTemperature } from './validate.js';
import { checkLabels, checkPair } from './shapes.js';
import { l2Normalize } from './l2Normalize.js';
import { maskDiagonal } from './ntXent.js';

export interface SupConOptions {
  /** τ. Default 0.1, the SupCon paper's value [0, §4]. */
  temperature?: number;
}

/**
 * Supervised contrastive loss, L^sup_out.
 *
 * [0] SupCon, Khosla et al. 2020, arXiv:2004.11362, Eq. (2).
 *
 * Returns `(z1 [N,D], z2 [N,D], labels? [N] int) → scalar` over the 2N views (z1[i] and z2[i]
 * both carry labels[i]). For anchor i, A(i) = all other views, P(i) = views in A(i) with i's label:
 * ℓ_i = −1/|P(i)| Σ_{p∈P(i)} log( exp(z_i·z_p/τ) / Σ_{a∈A(i)} exp(z_i·z_a/τ) ), mean over anchors.
 * Without labels, P(i) is i's other view only, and the loss equals NT-Xent at the same τ.
 * (The reference code's extra factor τ/τ_base, τ_base = 0.07, is left out: it only rescales.)
 */
export function supConLoss(
  options: SupConOptions = {},
): (z1: tf.Tensor2D, z2: tf.Tensor2D, labels?: tf.Tensor1D) => tf.Scalar {
  const temperature = checkTemperature('supConLoss', options.temperature ?? 0.1);
  return (z1, z2, labels) => {
    checkPair('supConLoss', z1, z2);
    const n = z1.shape[0];
    if (labels) checkLabels('supConLoss', labels, n);
    return tf.tidy(() => {
      const lab = labels ? tf.cast(labels, 'int32') : tf.range(0, n, 1, 'int32');
      const all = tf.concat([lab, lab]);
      const notSelf = tf.sub(1, tf.eye(2 * n));
      const positives = tf.mul(tf.cast(tf.equal(tf.expandDims(all, 1), tf.expandDims(all, 0)), 'float32'), notSelf);
      const z = l2Normalize(tf.concat([z1, z2], 0));
      const logits = maskDiagonal(tf.div(tf.matMul(z, z, false, true), temperature) as tf.Tensor2D);
      const logProb = tf.logSoftmax(logits);
      const perAnchor = tf.div(tf.sum(tf.mul(positives, logProb), 1), tf.sum(positives, 1));
      return tf.neg(tf.mean(perAnchor)) as tf.Scalar;
    });
  };
}

import * as tf from '@tensorflow/tfjs-core';
import { checkTemperature } from './validate.js';
import { checkPair } from './shapes.js';
import { l2Normalize } from './l2Normalize.js';

export interface NtXentOptions {
  /**
   * τ. Default 0.5, lightly's NTXentLoss default, which suits small batches; the SimCLR paper's
   * large-batch ImageNet runs use 0.1 [0, Table 5 / Appendix B.9].
   */
  temperature?: number;
}

/** Logit put on excluded (self-similarity) entries: exp underflows to exactly 0 in float32. */
export const MASKED_LOGIT = -1e9;

/**
 * NT-Xent (normalised temperature-scaled cross entropy), the InfoNCE loss of SimCLR over 2N views.
 *
 * [0] SimCLR, Chen et al. 2020, arXiv:2002.05709, Eq. (1) and Algorithm 1.
 *
 * Returns `(z1 [N,D], z2 [N,D]) → scalar`: z1[i], z2[i] are a positive pair (two augmentations of
 * one image, or two images of one study/patient); every other of the 2N−2 views is a negative.
 * ℓ(i,j) = −log( exp(sim(z_i,z_j)/τ) / Σ_{k≠i} exp(sim(z_i,z_k)/τ) ), sim = cosine similarity,
 * averaged over all 2N anchors. For identical embeddings the loss is log(2N−1) at any τ.
 */
export function ntXentLoss(options: NtXentOptions = {}): (z1: tf.Tensor2D, z2: tf.Tensor2D) => tf.Scalar {
  const temperature = checkTemperature('ntXentLoss', options.temperature ?? 0.5);
  return (z1, z2) => {
    checkPair('ntXentLoss', z1, z2);
    return tf.tidy(() => {
      const n = z1.shape[0];
      const z = l2Normalize(tf.concat([z1, z2], 0));
      const logits = maskDiagonal(tf.div(tf.matMul(z, z, false, true), temperature) as tf.Tensor2D);
      const positive = tf.concat([tf.range(n, 2 * n, 1, 'int32'), tf.range(0, n, 1, 'int32')]);
      const logProb = tf.logSoftmax(logits);
      const picked = tf.sum(tf.mul(logProb, tf.oneHot(positive, 2 * n)), 1);
      return tf.neg(tf.mean(picked)) as tf.Scalar;
    });
  };
}

/** Replaces the diagonal of a square [M,M] logit matrix by MASKED_LOGIT (excludes k = i). */
export function maskDiagonal(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const m = logits.shape[0];
    const eye = tf.eye(m);
    return tf.add(tf.mul(logits, tf.sub(1, eye)), tf.mul(eye, MASKED_LOGIT)) as tf.Tensor2D;
  });
}

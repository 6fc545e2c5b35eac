import * as tf from '@tensorflow/tfjs-core';
import { checkTemperature } from './validate.js';
import { checkPair } from './shapes.js';
import { l2Normalize } from './l2Normalize.js';
import { SslConfigError } from '../methods/errors.js';

export interface MocoInfoNceOptions {
  /** τ. Default 0.2, the MoCo v2 value [1, §3 "Setup"] (MoCo v1 used 0.07). */
  temperature?: number;
}

/**
 * InfoNCE with a queue of negatives, as in MoCo.
 *
 * [0] MoCo, He et al. 2020, arXiv:1911.05722, Eq. (1) and Algorithm 1.
 * [1] MoCo v2, Chen et al. 2020, arXiv:2003.04297.
 *
 * Returns `(q [N,D], k [N,D], queue [K,D]) → scalar`: queries q from the online encoder, keys k
 * from the momentum encoder (k[i] is q[i]'s positive), and K negatives from the queue.
 * ℓ_i = −log( exp(q_i·k_i/τ) / (exp(q_i·k_i/τ) + Σ_j exp(q_i·queue_j/τ)) ), q, k, queue rows
 * L2-normalised here; mean over i. Gradients reach only what q depends on if the caller trains
 * only the online encoder (keys and queue are constants to the optimizer).
 */
export function mocoInfoNceLoss(
  options: MocoInfoNceOptions = {},
): (q: tf.Tensor2D, k: tf.Tensor2D, queue: tf.Tensor2D) => tf.Scalar {
  const temperature = checkTemperature('mocoInfoNceLoss', options.temperature ?? 0.2);
  return (q, k, queue) => {
    checkPair('mocoInfoNceLoss', q, k);
    if (queue.rank !== 2 || queue.shape[1] !== q.shape[1]) {
      throw new SslConfigError(`mocoInfoNceLoss: queue must be [K,${q.shape[1]}], got [${queue.shape}]`);
    }
    return tf.tidy(() => {
      const qn = l2Normalize(q);
      const kn = l2Normalize(k);
      const lPos = tf.sum(tf.mul(qn, kn), 1, true);
      const lNeg = tf.matMul(qn, l2Normalize(queue), false, true);
      const logits = tf.div(tf.concat([lPos, lNeg], 1), temperature) as tf.Tensor2D;
      const logProb = tf.logSoftmax(logits);
      return tf.neg(tf.mean(tf.slice(logProb, [0, 0], [-1, 1]))) as tf.Scalar;
    });
  };
}

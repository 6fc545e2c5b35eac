import * as tf from '@tensorflow/tfjs-core';
import { checkRange } from './validate.js';
import { checkLabels } from './shapes.js';
import { l2Normalize } from './l2Normalize.js';
import { SslConfigError } from '../methods/errors.js';
import { stopGradient } from './stopGradient.js';

export type TripletMining = 'batch-hard' | 'semi-hard';

export interface TripletOptions {
  /** α. Default 0.2, FaceNet's margin [1, §3.1] on unit-norm embeddings. */
  margin?: number;
  /** Default 'batch-hard' [0]. */
  mining?: TripletMining;
  /**
   * Semi-hard mining compares every (anchor, positive, negative) triple; anchors are processed in
   * blocks so that a block's [A,M,M] tensor has at most this many elements. Default 2^22 (16 MiB).
   */
  maxChunkElements?: number;
}

/** Large distance used to push excluded pairs out of min/max reductions. */
const FAR = 1e4;

/**
 * Triplet loss with online mining, on L2-normalised embeddings and Euclidean distance d.
 *
 * [0] In Defense of the Triplet Loss, Hermans et al. 2017, arXiv:1703.07737, Eq. (5) (batch hard).
 * [1] FaceNet, Schroff et al. 2015, arXiv:1503.03832, §3.2 (semi-hard negatives).
 *
 * Returns `(emb [M,D], labels [M] int) → scalar`.
 * - batch-hard: mean over anchors a of [α + max_{p: y_p=y_a, p≠a} d(a,p) − min_{n: y_n≠y_a} d(a,n)]_+ .
 * - semi-hard: mean over all positive pairs (a,p), p≠a, of [α + d(a,p) − d(a,n*)]_+ with n* the
 *   closest negative farther than p (d(a,n) > d(a,p)); if there is none, the farthest negative
 *   (the rule of tf-addons' triplet_semihard_loss).
 * Anchors without a positive or without a negative contribute nothing (and are not counted).
 */
export function tripletLoss(options: TripletOptions = {}): (emb: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar {
  const margin = checkRange('tripletLoss', 'margin', options.margin ?? 0.2, 0, 10);
  const mining = options.mining ?? 'batch-hard';
  const maxChunkElements = checkRange('tripletLoss', 'maxChunkElements', options.maxChunkElements ?? 1 << 22, 1, 2 ** 31);
  if (mining !== 'batch-hard' && mining !== 'semi-hard') {
    throw new SslConfigError(`tripletLoss: mining = '${String(mining)}' is unknown; use 'batch-hard' or 'semi-hard'`);
  }
  return (emb, labels) => {
    if (emb.rank !== 2) throw new SslConfigError(`tripletLoss: expected embeddings [M,D], got [${emb.shape}]`);
    const m = emb.shape[0];
    checkLabels('tripletLoss', labels, m);
    return tf.tidy(() => {
      const d = pairwiseDistance(l2Normalize(emb));
      const lab = tf.cast(labels, 'int32');
      const same = tf.cast(tf.equal(tf.expandDims(lab, 1), tf.expandDims(lab, 0)), 'float32');
      const eye = tf.eye(m);
      const pos = tf.sub(same, eye) as tf.Tensor2D;
      const neg = tf.sub(1, same) as tf.Tensor2D;
      return mining === 'batch-hard' ? batchHard(d, pos, neg, margin) : semiHard(d, pos, neg, margin, maxChunkElements);
    });
  };
}

/** Euclidean distances [M,M] between rows of z [M,D]; squared distance floored so √ has a finite gradient. */
function pairwiseDistance(z: tf.Tensor2D): tf.Tensor2D {
  const sq = tf.sum(tf.square(z), 1);
  const d2 = tf.sub(tf.add(tf.expandDims(sq, 1), tf.expandDims(sq, 0)), tf.mul(2, tf.matMul(z, z, false, true)));
  return tf.sqrt(tf.maximum(d2, 1e-12)) as tf.Tensor2D;
}

function batchHard(d: tf.Tensor2D, pos: tf.Tensor2D, neg: tf.Tensor2D, margin: number): tf.Scalar {
  const hardestPos = tf.max(tf.sub(tf.mul(d, pos), tf.mul(tf.sub(1, pos), FAR)), 1);
  const hardestNeg = tf.min(tf.add(tf.mul(d, neg), tf.mul(tf.sub(1, neg), FAR)), 1);
  const valid = tf.mul(tf.cast(tf.greater(tf.sum(pos, 1), 0), 'float32'), tf.cast(tf.greater(tf.sum(neg, 1), 0), 'float32'));
  const per = tf.mul(tf.relu(tf.add(tf.sub(hardestPos, hardestNeg), margin)), valid);
  return tf.div(tf.sum(per), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
}

function semiHard(d: tf.Tensor2D, pos: tf.Tensor2D, neg: tf.Tensor2D, margin: number, maxChunkElements: number): tf.Scalar {
  const m = d.shape[0];
  const chunk = Math.max(1, Math.floor(maxChunkElements / (m * m)));
  const losses: tf.Tensor[] = [];
  for (let start = 0; start < m; start += chunk) {
    const rows = Math.min(chunk, m - start);
    const slice = (t: tf.Tensor2D) => tf.slice(t, [start, 0], [rows, m]);
    losses.push(tf.sum(semiHardRows(slice(d), slice(pos), slice(neg), margin)));
  }
  const valid = tf.mul(pos, tf.cast(tf.greater(tf.sum(neg, 1, true), 0), 'float32'));
  return tf.div(tf.addN(losses), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
}

/** Semi-hard terms for a block of anchors: d, pos, neg [A,M] (rows = anchors) → [A,M] per (a,p). */
function semiHardRows(d: tf.Tensor2D, pos: tf.Tensor2D, neg: tf.Tensor2D, margin: number): tf.Tensor2D {
  // Index [a, p, n]: d(a,p) in dAP, d(a,n) in dAN.
  const dAP = tf.expandDims(d, 2);
  const dAN = tf.expandDims(d, 1);
  const negMask = tf.expandDims(neg, 1);
  const farther = stopGradient((an, ap) => tf.mul(tf.cast(tf.greater(an!, ap!), 'float32'), negMask), dAN, dAP);
  const closestFarther = tf.min(tf.add(tf.mul(dAN, farther), tf.mul(tf.sub(1, farther), FAR)), 2);
  const hasFarther = stopGradient((f) => tf.cast(tf.greater(tf.sum(f!, 2), 0), 'float32'), farther);
  const farthest = tf.max(tf.sub(tf.mul(d, neg), tf.mul(tf.sub(1, neg), FAR)), 1, true);
  const chosen = tf.add(tf.mul(hasFarther, closestFarther), tf.mul(tf.sub(1, hasFarther), farthest));
  const hasNeg = tf.cast(tf.greater(tf.sum(neg, 1, true), 0), 'float32');
  return tf.mul(tf.relu(tf.add(tf.sub(d, chosen), margin)), tf.mul(pos, hasNeg)) as tf.Tensor2D;
}

import type * as tf from '@tensorflow/tfjs-core';
import { SslConfigError } from '../methods/errors.js';

/** Throws unless a and b are both rank-2 with identical shapes [N,D], N ≥ 1. */
export function checkPair(loss: string, a: tf.Tensor, b: tf.Tensor): void {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1] || a.shape[0] < 1) {
    throw new SslConfigError(`${loss}: expected two embeddings of identical shape [N,D], got [${a.shape}] and [${b.shape}]`);
  }
}

/** Throws unless labels is rank-1 of length n. */
export function checkLabels(loss: string, labels: tf.Tensor, n: number): void {
  if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new SslConfigError(`${loss}: expected labels of shape [${n}], got [${labels.shape}]`);
  }
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * FedProx proximal term (Li et al. 2020, arXiv:1812.06127, eq. 2): (μ/2)·Σ‖w − w_global‖²,
 * added to the local loss so local training stays near the round's global weights.
 * Its gradient with respect to w is μ(w − w_global).
 * @param variables the weights being trained
 * @param anchors w_global, same shapes, same order
 * @returns scalar
 */
export function proximalTerm(variables: readonly tf.Tensor[], anchors: readonly tf.Tensor[], mu: number): tf.Scalar {
  if (variables.length !== anchors.length) throw new RangeError(`${variables.length} variables but ${anchors.length} anchors`);
  return tf.tidy(() => {
    if (variables.length === 0) return tf.scalar(0);
    const sq = variables.map((v, i) => tf.sum(tf.square(tf.sub(v, anchors[i]!))));
    return tf.mul(tf.addN(sq), mu / 2) as tf.Scalar;
  });
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * Group normalisation [0]: channels split into G groups, each normalised over (H, W, C/G) per sample,
 * then scaled and shifted per channel. Same maths as torch.nn.GroupNorm (biased variance).
 *
 * [0] Group Normalization, Wu & He 2018, arXiv:1803.08494, Eq. (1)–(2).
 *
 * @param x [N,H,W,C] or [N,C] (channels last)
 * @param gamma [C], @param beta [C]
 * @param groups G, must divide C
 * @returns same shape as x
 */
export function groupNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, eps = 1e-5): tf.Tensor {
  const c = x.shape[x.rank - 1]!;
  if (c % groups !== 0) throw new Error(`groupNorm: ${groups} groups do not divide ${c} channels`);
  return tf.tidy(() => {
    const grouped = tf.reshape(x, [...x.shape.slice(0, -1), groups, c / groups]);
    const axes = x.rank === 4 ? [1, 2, 4] : [2];
    const { mean, variance } = tf.moments(grouped, axes, true);
    const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), x.shape);
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

/** Largest group count ≤ `groups` that divides `channels` (their gcd), so every layer gets a valid G. */
export function groupsFor(channels: number, groups: number): number {
  let a = channels, b = groups;
  while (b) [a, b] = [b, a % b];
  return a;
}

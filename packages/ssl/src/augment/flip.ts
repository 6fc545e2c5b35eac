import * as tf from '@tensorflow/tfjs-core';

/**
 * Mirrors left–right the images whose flag is set. images [N,H,W,C], flags N booleans → [N,H,W,C].
 * Off by default in the chest radiograph preset: anatomy is lateralised (heart on the left).
 */
export function horizontalFlip(images: tf.Tensor4D, flags: ArrayLike<boolean>): tf.Tensor4D {
  const n = images.shape[0];
  if (flags.length !== n) throw new Error(`horizontalFlip: ${flags.length} flags for ${n} images`);
  return tf.tidy(() => {
    const mask = tf.tensor4d(Float32Array.from({ length: n }, (_, i) => (flags[i] ? 1 : 0)), [n, 1, 1, 1]);
    const flipped = tf.reverse(images, 2);
    return tf.add(tf.mul(flipped, mask), tf.mul(images, tf.sub(1, mask))) as tf.Tensor4D;
  });
}

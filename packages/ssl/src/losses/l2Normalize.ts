import * as tf from '@tensorflow/tfjs-core';

/** Row-wise L2 normalisation, z [M,D] → [M,D], with ‖z_i‖ floored at `eps` (as torch.nn.functional.normalize). */
export function l2Normalize(z: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.maximum(tf.sqrt(tf.sum(tf.square(z), 1, true)), eps);
    return tf.div(z, norm) as tf.Tensor2D;
  });
}

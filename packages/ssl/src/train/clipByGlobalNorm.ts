import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient clipping by global norm (Pascanu et al. 2013, arXiv:1211.5063; the rule of
 * `tf.clip_by_global_norm` and `torch.nn.utils.clip_grad_norm_`):
 * g_i ← g_i · maxNorm / max(‖g‖, maxNorm), where ‖g‖ is the L2 norm over all tensors together.
 *
 * @param grads tensors of any shapes (not disposed)
 * @returns new tensors, same shapes as `grads` (the caller disposes them), and the global norm
 *   before clipping.
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { clipped: tf.Tensor[]; norm: number } {
  if (!(maxNorm > 0)) throw new RangeError(`maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const normValue = norm.dataSync()[0]!;
  const scale = maxNorm / Math.max(normValue, maxNorm);
  norm.dispose();
  const clipped = grads.map((g) => tf.tidy(() => tf.mul(g, scale)));
  return { clipped, norm: normValue };
}

/** ‖g‖₂ over all tensors: scalar tensor. */
export function globalNorm(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (tensors.length === 0) return tf.scalar(0);
    const squares = tensors.map((t) => tf.sum(tf.square(t)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `f(...xs)` as a constant of the differentiated graph: its gradient w.r.t. every input is
 * zero. tfjs-core has no tf.stopGradient, and it refuses to backpropagate through ops without a
 * gradient (greater, equal) even when their output is only a mask; ops run inside a custom-gradient
 * forward are not recorded on the tape, so masks built here are safe.
 */
export function stopGradient<T extends tf.Tensor>(f: (...xs: tf.Tensor[]) => T, ...xs: tf.Tensor[]): T {
  const wrapped = tf.customGrad((...args: unknown[]) => {
    const inputs = args.slice(0, -1) as tf.Tensor[];
    return { value: f(...inputs), gradFunc: () => inputs.map((x) => tf.zerosLike(x)) };
  });
  return wrapped(...xs) as T;
}

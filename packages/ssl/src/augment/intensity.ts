import * as tf from '@tensorflow/tfjs-core';

/* Per-sample intensity transforms: images [N,H,W,C] and one parameter per sample → [N,H,W,C].
 * Identity parameters (0 shift, factor 1, γ 1) leave a sample unchanged, so a batch where only some
 * samples are augmented is still one op. */

const perSample = (values: ArrayLike<number>, n: number, what: string): tf.Tensor4D => {
  if (values.length !== n) throw new Error(`${what}: ${values.length} values for ${n} images`);
  return tf.tensor4d(Float32Array.from(values), [n, 1, 1, 1]);
};

/** Brightness as an additive shift: x + b_i (MONAI RandShiftIntensity). */
export function brightness(images: tf.Tensor4D, shifts: ArrayLike<number>): tf.Tensor4D {
  return tf.tidy(() => tf.add(images, perSample(shifts, images.shape[0], 'brightness')) as tf.Tensor4D);
}

/** Contrast around each image's mean: (x − μ_i)·c_i + μ_i (torchvision adjust_contrast, grey images). */
export function contrast(images: tf.Tensor4D, factors: ArrayLike<number>): tf.Tensor4D {
  return tf.tidy(() => {
    const mean = tf.mean(images, [1, 2, 3], true);
    return tf.add(tf.mul(tf.sub(images, mean), perSample(factors, images.shape[0], 'contrast')), mean) as tf.Tensor4D;
  });
}

/**
 * Gamma on each image's own range, so it works for any intensity scale (MONAI RandAdjustContrast):
 * y = ((x − min_i)/(max_i − min_i + ε))^γ_i · (max_i − min_i) + min_i, ε = 1e-7.
 */
export function gamma(images: tf.Tensor4D, gammas: ArrayLike<number>): tf.Tensor4D {
  return tf.tidy(() => {
    const lo = tf.min(images, [1, 2, 3], true);
    const range = tf.sub(tf.max(images, [1, 2, 3], true), lo);
    const unit = tf.div(tf.sub(images, lo), tf.add(range, 1e-7));
    return tf.add(tf.mul(tf.pow(unit, perSample(gammas, images.shape[0], 'gamma')), range), lo) as tf.Tensor4D;
  });
}

/** Additive Gaussian noise: x + σ_i·ε, ε ~ N(0,1) drawn by tfjs from `seed` (reproducible). */
export function gaussianNoise(images: tf.Tensor4D, sigmas: ArrayLike<number>, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    const eps = tf.randomNormal(images.shape, 0, 1, 'float32', seed);
    return tf.add(images, tf.mul(eps, perSample(sigmas, images.shape[0], 'gaussianNoise'))) as tf.Tensor4D;
  });
}

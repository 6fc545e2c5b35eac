import * as tf from '@tensorflow/tfjs-core';

/** Normalised 1-D Gaussian taps for σ over offsets −r..r; σ ≤ 0 gives the identity (a delta). */
export function gaussianKernel1d(sigma: number, radius: number): Float32Array {
  const k = new Float32Array(2 * radius + 1);
  if (sigma <= 0) {
    k[radius] = 1;
    return k;
  }
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  return k;
}

/**
 * Separable Gaussian blur with a σ per sample, reflect-padded borders. The batch is folded into
 * channels ([1,H,W,N·C]) so one depthwise conv per axis applies every sample's own kernel.
 * Radius = ⌈3·max σ⌉ (capped so reflect padding fits the image). images [N,H,W,C] → [N,H,W,C].
 */
export function gaussianBlur(images: tf.Tensor4D, sigmas: ArrayLike<number>): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  if (sigmas.length !== n) throw new Error(`gaussianBlur: ${sigmas.length} sigmas for ${n} images`);
  const maxSigma = Math.max(0, ...Array.from(sigmas));
  const r = Math.min(Math.ceil(3 * maxSigma), h - 1, w - 1);
  if (r <= 0) return tf.clone(images);
  const taps = new Float32Array((2 * r + 1) * n * c);
  for (let i = 0; i < n; i++) {
    const k = gaussianKernel1d(sigmas[i]!, r);
    for (let t = 0; t < k.length; t++) for (let ch = 0; ch < c; ch++) taps[(t * n + i) * c + ch] = k[t]!;
  }
  return tf.tidy(() => {
    const folded = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, h, w, n * c]) as tf.Tensor4D;
    const padded = tf.mirrorPad(folded, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect');
    const vertical = tf.depthwiseConv2d(padded, tf.tensor4d(taps, [2 * r + 1, 1, n * c, 1]), 1, 'valid');
    const both = tf.depthwiseConv2d(vertical, tf.tensor4d(taps, [1, 2 * r + 1, n * c, 1]), 1, 'valid');
    return tf.transpose(tf.reshape(both, [h, w, n, c]), [2, 0, 1, 3]) as tf.Tensor4D;
  });
}

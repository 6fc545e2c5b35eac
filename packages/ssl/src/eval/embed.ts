import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '../models/types.js';
import type { ImageSet } from '../train/memorySource.js';

/**
 * Embeds images with a frozen encoder in inference mode (BatchNorm uses running statistics).
 * @param set [N,H,W,C] images
 * @returns [N,D] features (the caller disposes)
 */
export function embedImages(encoder: Pick<Encoder, 'apply'>, set: ImageSet, batchSize = 64): tf.Tensor2D {
  const [n, h, w, c] = set.shape;
  const pixels = h * w * c;
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(
        tf.tidy(() => {
          const x = tf.tensor4d(set.images.subarray(start * pixels, (start + size) * pixels), [size, h, w, c]);
          return encoder.apply(x, false);
        }),
      );
    }
    return parts.length === 1 ? (tf.clone(parts[0]!) as tf.Tensor2D) : (tf.concat(parts, 0) as tf.Tensor2D);
  } finally {
    tf.dispose(parts);
  }
}

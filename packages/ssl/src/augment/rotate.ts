import type * as tf from '@tensorflow/tfjs-core';
import { affineResample, rotationAffine, type FillMode } from './affineResample.js';

/**
 * Rotates each image by its own angle (radians) about the image centre ((W−1)/2, (H−1)/2), bilinear.
 * Output pixel (x, y) samples input (cosθ·dx − sinθ·dy + cx, sinθ·dx + cosθ·dy + cy), d = (x,y) − c.
 * images [N,H,W,C], angles N → [N,H,W,C].
 */
export function rotate(images: tf.Tensor4D, angles: ArrayLike<number>, fillMode: FillMode = 'reflect', fillValue = 0): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (angles.length !== n) throw new Error(`rotate: ${angles.length} angles for ${n} images`);
  const cx = (w - 1) / 2, cy = (h - 1) / 2;
  const matrices = Array.from({ length: n }, (_, i) => rotationAffine(angles[i]!, cx, cy));
  return affineResample(images, matrices, [h, w], fillMode, fillValue);
}

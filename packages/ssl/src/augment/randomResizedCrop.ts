import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng.js';

/** A crop in pixels: rows [top, top+height), columns [left, left+width). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Samples one crop of an h×w image the way torchvision's RandomResizedCrop.get_params does:
 * area fraction from U(scale), log aspect ratio (w/h) from U(log ratio), up to 10 attempts, then
 * a centre crop with the ratio clamped to the range.
 */
export function sampleCrop(rng: Rng, h: number, w: number, scale: [number, number], ratio: [number, number]): CropBox {
  const area = h * w;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const cw = Math.round(Math.sqrt(target * aspect));
    const ch = Math.round(Math.sqrt(target / aspect));
    if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
      const top = Math.floor(rng.next() * (h - ch + 1));
      const left = Math.floor(rng.next() * (w - cw + 1));
      return { top, left, height: ch, width: cw };
    }
  }
  const inRatio = w / h;
  let cw = w, ch = h;
  if (inRatio < ratio[0]) ch = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) cw = Math.round(h * ratio[1]);
  return { top: Math.floor((h - ch) / 2), left: Math.floor((w - cw) / 2), height: ch, width: cw };
}

/**
 * Normalised cropAndResize box [y1, x1, y2, x2] whose samples span the crop's first to last pixel
 * centre (cropAndResize maps y1..y2 to rows y1·(H−1) .. y2·(H−1)).
 */
export function cropToBox(c: CropBox, h: number, w: number): [number, number, number, number] {
  const fy = h > 1 ? 1 / (h - 1) : 0, fx = w > 1 ? 1 / (w - 1) : 0;
  return [c.top * fy, c.left * fx, (c.top + c.height - 1) * fy, (c.left + c.width - 1) * fx];
}

/**
 * Crops each image to its box and resizes bilinearly to size×size, one cropAndResize for the batch.
 * images [N,H,W,C], crops N boxes → [N,size,size,C].
 */
export function resizedCrop(images: tf.Tensor4D, crops: CropBox[], size: number): tf.Tensor4D {
  const [n, h, w] = images.shape;
  if (crops.length !== n) throw new Error(`resizedCrop: ${crops.length} crops for ${n} images`);
  return tf.tidy(() => {
    const boxes = tf.tensor2d(crops.flatMap((c) => cropToBox(c, h, w)), [n, 4]);
    const index = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(images, boxes, index, [size, size], 'bilinear');
  });
}

import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng.js';
import { affineResample } from './affineResample.js';

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
 * The affine map (output pixel → input pixel, 6 numbers as in affineResample) that resizes a crop
 * to size×size: output (0,0) samples the crop's first pixel centre, (size−1, size−1) its last.
 */
export function cropMatrix(c: CropBox, size: number): number[] {
  const sx = size > 1 ? (c.width - 1) / (size - 1) : 0;
  const sy = size > 1 ? (c.height - 1) / (size - 1) : 0;
  return [sx, 0, c.left, 0, sy, c.top];
}

/**
 * Crops each image to its box and resizes bilinearly to size×size, one gather-based resampling for
 * the batch. (tf.image.cropAndResize is not used: on the wasm backend, boxes ending on the last row
 * or column sample just past it in float32 and return the extrapolation value there.)
 * images [N,H,W,C], crops N boxes → [N,size,size,C].
 */
export function resizedCrop(images: tf.Tensor4D, crops: CropBox[], size: number): tf.Tensor4D {
  const n = images.shape[0];
  if (crops.length !== n) throw new Error(`resizedCrop: ${crops.length} crops for ${n} images`);
  return affineResample(images, crops.map((c) => cropMatrix(c, size)), [size, size], 'nearest');
}

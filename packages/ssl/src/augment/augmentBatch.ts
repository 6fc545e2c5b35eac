import * as tf from '@tensorflow/tfjs-core';
import type { AugmentConfig, Range } from './types.js';
import { Rng } from './rng.js';
import { cropMatrix, sampleCrop } from './randomResizedCrop.js';
import { affineResample, composeAffine, rotationAffine, type Affine } from './affineResample.js';
import { brightness, contrast, gamma, gaussianNoise } from './intensity.js';
import { gaussianBlur } from './blur.js';

/**
 * Augments a batch: random resized crop, rotation and flip as ONE bilinear resampling (their
 * affine maps composed, so the image is interpolated once and rotated corners show real image
 * content), then brightness → contrast → gamma → blur → noise. Each step is one batched op with
 * per-sample parameters drawn from a generator seeded by `seed` (same images, config and seed ⇒
 * identical output). images [N,H,W,C] float → [N,S,S,C], S = config.outputSize ?? H; without
 * crop, outputSize, rotate and flip the geometry is untouched ([N,H,W,C]). Absent ops are skipped.
 */
export function augmentBatch(images: tf.Tensor4D, config: AugmentConfig, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const [n, h, w] = images.shape;
  const draw = (p: number, range: Range, identity: number) =>
    Array.from({ length: n }, () => (rng.next() < p ? rng.uniform(range[0], range[1]) : identity));
  const geometric = config.crop || config.outputSize !== undefined || config.rotate || config.flip;
  const size = config.outputSize ?? h;
  const full = { top: 0, left: 0, height: h, width: w };
  const crops = config.crop ? Array.from({ length: n }, () => sampleCrop(rng, h, w, config.crop!.scale, config.crop!.ratio)) : undefined;
  const rad = config.rotate ? (config.rotate.degrees * Math.PI) / 180 : 0;
  const angles = config.rotate ? draw(config.rotate.p, [-rad, rad], 0) : undefined;
  const flips = config.flip ? Array.from({ length: n }, () => rng.next() < config.flip!.p) : undefined;
  return tf.tidy(() => {
    let x = images;
    if (geometric) {
      const c = (size - 1) / 2;
      const matrices = Array.from({ length: n }, (_, i) => {
        let m: Affine = flips?.[i] ? [-1, 0, size - 1, 0, 1, 0] : [1, 0, 0, 0, 1, 0];
        if (angles) m = composeAffine(rotationAffine(angles[i]!, c, c), m);
        return composeAffine(cropMatrix(crops?.[i] ?? full, size), m);
      });
      x = affineResample(x, matrices, [size, size], config.rotate?.fill ?? 'reflect');
    }
    if (config.brightness) x = brightness(x, draw(config.brightness.p, [-config.brightness.delta, config.brightness.delta], 0));
    if (config.contrast) x = contrast(x, draw(config.contrast.p, config.contrast.range, 1));
    if (config.gamma) x = gamma(x, draw(config.gamma.p, config.gamma.range, 1));
    if (config.blur) x = gaussianBlur(x, draw(config.blur.p, config.blur.sigma, 0));
    if (config.noise) x = gaussianNoise(x, draw(config.noise.p, config.noise.std, 0), rng.int());
    return x === images ? tf.clone(x) : x;
  });
}

/**
 * Two independently augmented views of the same images (the default positive pair), seeds derived
 * from `seed`. images [N,H,W,C] → two [N,S,S,C].
 */
export function twoViews(images: tf.Tensor4D, config: AugmentConfig, seed: number): [tf.Tensor4D, tf.Tensor4D] {
  const rng = new Rng(seed);
  return [augmentBatch(images, config, rng.int()), augmentBatch(images, config, rng.int())];
}

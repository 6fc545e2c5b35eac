import * as tf from '@tensorflow/tfjs-core';
import type { AugmentConfig, Range } from './types.js';
import { Rng } from './rng.js';
import { resizedCrop, sampleCrop } from './randomResizedCrop.js';
import { rotate } from './rotate.js';
import { horizontalFlip } from './flip.js';
import { brightness, contrast, gamma, gaussianNoise } from './intensity.js';
import { gaussianBlur } from './blur.js';

/**
 * Augments a batch: crop+resize → rotate → flip → brightness → contrast → gamma → blur → noise,
 * each one batched op with per-sample parameters drawn from a generator seeded by `seed`
 * (same images, config and seed ⇒ identical output on a given backend).
 * images [N,H,W,C] float → [N,S,S,C] with S = config.outputSize ?? H (unchanged [N,H,W,C] without crop
 * or outputSize). Ops absent from the config are skipped.
 */
export function augmentBatch(images: tf.Tensor4D, config: AugmentConfig, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const [n, h, w] = images.shape;
  const size = config.outputSize ?? h;
  const resize = config.crop !== undefined || config.outputSize !== undefined;
  const draw = (p: number, range: Range, identity: number) =>
    Array.from({ length: n }, () => (rng.next() < p ? rng.uniform(range[0], range[1]) : identity));
  return tf.tidy(() => {
    let x = images;
    if (config.crop) {
      const { scale, ratio } = config.crop;
      x = resizedCrop(x, Array.from({ length: n }, () => sampleCrop(rng, h, w, scale, ratio)), size);
    } else if (resize && (size !== h || size !== w)) {
      x = tf.image.resizeBilinear(x, [size, size], true);
    }
    if (config.rotate) {
      const rad = (config.rotate.degrees * Math.PI) / 180;
      x = rotate(x, draw(config.rotate.p, [-rad, rad], 0), config.rotate.fill ?? 'reflect');
    }
    if (config.flip) {
      const p = config.flip.p;
      x = horizontalFlip(x, Array.from({ length: n }, () => rng.next() < p));
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

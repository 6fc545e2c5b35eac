import { twoViews } from '../augment/augmentBatch.js';
import type { AugmentConfig } from '../augment/types.js';
import type { MakeViews } from './batch.js';

/**
 * The default positive pair: two independent augmentations of each image (augment/augmentBatch),
 * seeded from the step's generator so a resumed run draws the same views.
 */
export function augmentViews(config: AugmentConfig): MakeViews {
  return (images, rng) => twoViews(images, config, rng.int());
}

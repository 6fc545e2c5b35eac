import * as tf from '@tensorflow/tfjs-core';
import { augmentBatch } from '../augment/augmentBatch.js';
import type { AugmentConfig } from '../augment/types.js';
import type { Rng } from '../augment/rng.js';
import type { MakeViews } from './batch.js';

/**
 * Partner of each image for MICLe-style pairs: another image of the same group (study or
 * patient) in the batch, drawn at random, or the image itself when it is alone in its group.
 * @param groups [B] group ids
 * @returns [B] partner indices
 */
export function miclePartners(groups: readonly string[], rng: Rng): Int32Array {
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  return Int32Array.from(groups, (g, i) => {
    const others = members.get(g)!.filter((j) => j !== i);
    return others.length === 0 ? i : others[Math.floor(rng.next() * others.length)]!;
  });
}

/**
 * Multi-instance positive pairs (MICLe: Azizi et al., "Big Self-Supervised Models Advance Medical
 * Image Classification", 2021, arXiv:2101.05224): view1[i] is an augmentation of image i and
 * view2[i] an augmentation of a different image of the same study or patient, so the encoder
 * learns what two acquisitions of one anatomy share, not only what survives augmentation.
 * Images alone in their group in the batch fall back to two augmentations of themselves.
 * Needs `Batch.groupIds` and batches that hold several images of a group (the dicom loader's
 * `groupBy` order); without group ids it is the plain two-augmentation pair.
 */
export function micleViews(config: AugmentConfig): MakeViews {
  return (images, rng, batch) => {
    const partners = batch.groupIds ? miclePartners(batch.groupIds, rng) : Int32Array.from({ length: images.shape[0] }, (_, i) => i);
    const s1 = rng.int();
    const s2 = rng.int();
    const v1 = augmentBatch(images, config, s1);
    const v2 = tf.tidy(() => augmentBatch(tf.gather(images, tf.tensor1d(partners, 'int32')), config, s2));
    return [v1, v2];
  };
}

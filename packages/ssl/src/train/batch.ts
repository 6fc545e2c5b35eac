import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../augment/rng.js';

/**
 * One batch as the trainer consumes it: framework-free, so any loader (packages/dicom, an
 * in-memory array, a test) can feed it.
 */
export interface Batch {
  /** [B·H·W·C] float32, row-major NHWC. */
  images: Float32Array;
  shape: [number, number, number, number];
  /** [B] class labels (SupCon, triplet, kNN monitor); optional. */
  labels?: Int32Array;
  /** [B] study/patient ids, for methods pairing images of one group (MICLe-style). */
  groupIds?: string[];
}

/**
 * Batches grouped into epochs. `epoch(e)` must yield the same batches in the same order every
 * time it is called with the same e (shuffle with a seed derived from e): resuming a checkpoint
 * taken mid-epoch replays epoch e and skips the batches already trained on.
 */
export interface BatchSource {
  epoch(epoch: number): AsyncIterable<Batch>;
  /** Batches each epoch yields; sizes the learning-rate schedule and the ETA. */
  readonly batchesPerEpoch: number;
  /** Identifies the data (e.g. a hash of the index); stored in checkpoints and checked on resume. */
  readonly fingerprint?: string;
}

/**
 * Builds the two views of a batch (the augmentations). Called once per step with a generator
 * seeded from (run seed, step) only, so a resumed run draws the same views.
 * @param images [B,H,W,C] (owned by the trainer; do not dispose)
 * @returns two new tensors of the same shape (the trainer disposes them)
 */
export type MakeViews = (images: tf.Tensor4D, rng: Rng, batch: Batch) => [tf.Tensor4D, tf.Tensor4D];

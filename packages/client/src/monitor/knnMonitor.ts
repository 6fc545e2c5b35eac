import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensors } from '@fedcl/protocol';
import { accuracy, embedImages, knnClassify, type Encoder, type ImageSet } from '@fedcl/ssl';
import { loadLabelledImages } from '../finetune/images.js';
import { readLabels } from '../finetune/labels.js';
import { LocalModel } from '../site/localModel.js';
import type { TrainingSpec } from '../site/trainingSpec.js';

type Labelled = ImageSet & { labels: Int32Array };

/** A labelled monitoring set split into a kNN bank (even rows) and queries (odd rows). */
export interface KnnTask {
  bank: Labelled;
  queries: Labelled;
}

function take(set: ImageSet, labels: Int32Array, rows: number[]): Labelled {
  const [, h, w, c] = set.shape;
  const px = h * w * c;
  const images = new Float32Array(rows.length * px);
  rows.forEach((r, k) => images.set(set.images.subarray(r * px, (r + 1) * px), k * px));
  return { images, shape: [rows.length, h, w, c], labels: Int32Array.from(rows, (r) => labels[r]!) };
}

/** Reads a `path,label` CSV into a kNN task at the encoder's input size. */
export async function loadKnnTask(csv: string, size: number): Promise<KnnTask> {
  const rows = readLabels(csv);
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  if (classes.length < 2) throw new Error(`${csv}: the kNN monitor needs at least two classes`);
  if (rows.length < 4) throw new Error(`${csv}: the kNN monitor needs at least 4 labelled images`);
  const set = await loadLabelledImages(rows, size);
  const labels = Int32Array.from(rows, (r) => classes.indexOf(r.label));
  const idx = [...rows.keys()];
  return { bank: take(set, labels, idx.filter((i) => i % 2 === 0)), queries: take(set, labels, idx.filter((i) => i % 2 === 1)) };
}

/** Weighted kNN accuracy (k = min(20, bank size), cosine) of an encoder's features on the task. */
export function knnAccuracy(encoder: Encoder, task: KnnTask): number {
  const b = embedImages(encoder, task.bank);
  const q = embedImages(encoder, task.queries);
  try {
    const r = knnClassify(b, task.bank.labels, q, { k: Math.min(20, task.bank.labels.length) });
    return accuracy(r.predictions, task.queries.labels);
  } finally {
    tf.dispose([b, q]);
  }
}

/**
 * A per-round monitor of the global encoder for `fedcl simulate --eval-labels`. It runs where
 * the simulation runs (the operator's own labelled set), never at a site.
 */
export async function knnEvaluator(csv: string, spec: TrainingSpec): Promise<(weights: NamedTensors) => Promise<Record<string, number>>> {
  const task = await loadKnnTask(csv, spec.inputSize);
  return async (weights) => {
    const model = new LocalModel(spec);
    try {
      model.loadGlobal(weights);
      return { knnAccuracy: knnAccuracy(model.method.encoder, task) };
    } finally {
      model.dispose();
    }
  };
}

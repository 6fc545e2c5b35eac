import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensors } from '@fedcl/protocol';
import { accuracy, embedImages, knnClassify, type ImageSet } from '@fedcl/ssl';
import { loadLabelledImages } from '../finetune/images.js';
import { readLabels } from '../finetune/labels.js';
import { LocalModel } from '../site/localModel.js';
import type { TrainingSpec } from '../site/trainingSpec.js';

type Labelled = ImageSet & { labels: Int32Array };

function take(set: ImageSet, labels: Int32Array, rows: number[]): Labelled {
  const [, h, w, c] = set.shape;
  const px = h * w * c;
  const images = new Float32Array(rows.length * px);
  rows.forEach((r, k) => images.set(set.images.subarray(r * px, (r + 1) * px), k * px));
  return { images, shape: [rows.length, h, w, c], labels: Int32Array.from(rows, (r) => labels[r]!) };
}

/**
 * A per-round monitor of the global encoder for `fedcl simulate --eval-labels`: weighted kNN
 * (k = 20, cosine) with the even rows of a labelled CSV as the bank and the odd rows as queries.
 * It runs where the simulation runs (the operator's own labelled set), never at a site.
 */
export async function knnEvaluator(csv: string, spec: TrainingSpec): Promise<(weights: NamedTensors) => Promise<Record<string, number>>> {
  const rows = readLabels(csv);
  const classes = [...new Set(rows.map((r) => r.label))].sort();
  if (classes.length < 2) throw new Error(`${csv}: the kNN monitor needs at least two classes`);
  const set = await loadLabelledImages(rows, spec.inputSize);
  const labels = Int32Array.from(rows, (r) => classes.indexOf(r.label));
  const bank = take(set, labels, rows.map((_, i) => i).filter((i) => i % 2 === 0));
  const queries = take(set, labels, rows.map((_, i) => i).filter((i) => i % 2 === 1));
  return async (weights) => {
    const model = new LocalModel(spec);
    try {
      model.loadGlobal(weights);
      const b = embedImages(model.method.encoder, bank);
      const q = embedImages(model.method.encoder, queries);
      const r = knnClassify(b, bank.labels, q, { k: Math.min(20, bank.labels.length) });
      tf.dispose([b, q]);
      return { knnAccuracy: accuracy(r.predictions, queries.labels) };
    } finally {
      model.dispose();
    }
  };
}

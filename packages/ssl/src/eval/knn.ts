import * as tf from '@tensorflow/tfjs-core';

/**
 * Weighted k-nearest-neighbour classifier on embeddings, the monitor of InstDisc
 * (Wu et al. 2018, arXiv:1805.01978) and DINO (Caron et al. 2021, arXiv:2104.14294):
 * cosine similarity s to the bank, the k most similar bank items vote for their label with
 * weight exp(s/T), the class with the largest summed weight wins.
 */
export interface KnnOptions {
  /** Neighbours (default 20, DINO's). Clamped to the bank size. */
  k?: number;
  /** Temperature T of the vote weights (default 0.07, InstDisc/DINO). */
  temperature?: number;
  /** Classes; default max(label)+1 over the bank. */
  numClasses?: number;
  /** Queries per chunk, bounding memory to chunk×N similarities (default 256). */
  chunk?: number;
}

export interface KnnResult {
  /** [M] predicted class per query. */
  predictions: Int32Array;
  /** [M×C] row-major summed vote weights, normalised to sum 1 per query. */
  scores: Float32Array;
  numClasses: number;
}

export class KnnError extends Error {
  override name = 'KnnError';
}

/**
 * @param bank [N,D] labelled embeddings (not disposed)
 * @param bankLabels [N] class indices in [0, C)
 * @param queries [M,D] embeddings to classify (not disposed)
 */
export function knnClassify(bank: tf.Tensor2D, bankLabels: Int32Array, queries: tf.Tensor2D, options: KnnOptions = {}): KnnResult {
  const n = bank.shape[0];
  if (bankLabels.length !== n) throw new KnnError(`bank has ${n} rows but ${bankLabels.length} labels`);
  if (n === 0) throw new KnnError('the kNN bank is empty: give it at least one labelled embedding');
  if (queries.shape[1] !== bank.shape[1]) {
    throw new KnnError(`queries have dimension ${queries.shape[1]}, the bank ${bank.shape[1]}: embed both with the same encoder`);
  }
  const temperature = options.temperature ?? 0.07;
  if (!(temperature > 0)) throw new KnnError(`temperature must be > 0, got ${temperature}`);
  const k = Math.min(options.k ?? 20, n);
  if (!(k >= 1)) throw new KnnError(`k must be ≥ 1, got ${options.k}`);
  let maxLabel = -1;
  for (const l of bankLabels) {
    if (!Number.isInteger(l) || l < 0) throw new KnnError(`bank labels must be non-negative integers, got ${l}`);
    maxLabel = Math.max(maxLabel, l);
  }
  const numClasses = options.numClasses ?? maxLabel + 1;
  if (maxLabel >= numClasses) throw new KnnError(`label ${maxLabel} is outside numClasses=${numClasses}`);
  const chunk = options.chunk ?? 256;
  const m = queries.shape[0];
  const predictions = new Int32Array(m);
  const scores = new Float32Array(m * numClasses);

  const bankNorm = tf.tidy(() => l2Normalize(bank));
  try {
    for (let start = 0; start < m; start += chunk) {
      const size = Math.min(chunk, m - start);
      const [sims, idx] = tf.tidy(() => {
        const q = l2Normalize(tf.slice(queries, [start, 0], [size, -1]));
        const top = tf.topk(tf.matMul(q, bankNorm, false, true), k, true);
        return [top.values, top.indices];
      });
      const s = sims.dataSync();
      const ix = idx.dataSync();
      tf.dispose([sims, idx]);
      for (let i = 0; i < size; i++) {
        const row = (start + i) * numClasses;
        // subtracting the top similarity keeps exp() finite; the vote is scale-invariant
        const top = s[i * k]!;
        let total = 0;
        for (let j = 0; j < k; j++) {
          const w = Math.exp((s[i * k + j]! - top) / temperature);
          scores[row + bankLabels[ix[i * k + j]!]!]! += w;
          total += w;
        }
        let best = 0;
        for (let c = 0; c < numClasses; c++) {
          scores[row + c]! /= total;
          if (scores[row + c]! > scores[row + best]!) best = c;
        }
        predictions[start + i] = best;
      }
    }
  } finally {
    bankNorm.dispose();
  }
  return { predictions, scores, numClasses };
}

/** Fraction of `predictions` equal to `labels`. */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length) throw new KnnError(`${predictions.length} predictions for ${labels.length} labels`);
  if (labels.length === 0) return Number.NaN;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) hit++;
  return hit / labels.length;
}

/** Rows scaled to unit L2 norm (zero rows stay zero). [N,D] → [N,D]. */
function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

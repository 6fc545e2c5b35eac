import { Rng } from '../augment/rng.js';
import type { Batch, BatchSource } from './batch.js';
import { stepSeed } from './stepSeed.js';

/** Images held in memory: [N·H·W·C] float32 with optional labels. */
export interface ImageSet {
  images: Float32Array;
  shape: [number, number, number, number];
  labels?: Int32Array;
}

/**
 * A BatchSource over an in-memory image set, reshuffled each epoch from (seed, epoch), dropping
 * the last incomplete batch (contrastive losses want full batches).
 */
export function memoryBatchSource(set: ImageSet, batchSize: number, seed = 0, fingerprint?: string): BatchSource {
  const [n, h, w, c] = set.shape;
  const pixels = h * w * c;
  if (set.images.length !== n * pixels) throw new RangeError(`images hold ${set.images.length} values, shape [${set.shape}] needs ${n * pixels}`);
  if (!(batchSize >= 1 && batchSize <= n)) throw new RangeError(`batchSize must be in [1, ${n}], got ${batchSize}`);
  const batchesPerEpoch = Math.floor(n / batchSize);
  return {
    batchesPerEpoch,
    fingerprint,
    async *epoch(epoch: number): AsyncIterable<Batch> {
      const order = Array.from({ length: n }, (_, i) => i);
      const rng = new Rng(stepSeed(seed, epoch));
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let b = 0; b < batchesPerEpoch; b++) {
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const images = new Float32Array(batchSize * pixels);
        idx.forEach((src, k) => images.set(set.images.subarray(src * pixels, (src + 1) * pixels), k * pixels));
        const batch: Batch = { images, shape: [batchSize, h, w, c] };
        if (set.labels) batch.labels = Int32Array.from(idx, (i) => set.labels![i]!);
        yield batch;
      }
    },
  };
}

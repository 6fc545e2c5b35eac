import type { Batch, BatchSource } from './batch.js';

/**
 * The shape of packages/dicom's BatchLoader this adapter relies on (structural, so packages/ssl
 * needs no runtime dependency on packages/dicom).
 */
export interface DicomLoaderLike {
  readonly samples: readonly unknown[];
  epoch(epoch: number): AsyncIterable<{
    /** [B, H, W, 1] row-major. */
    data: Float32Array;
    shape: [number, number, number, number];
    items: readonly { label?: string | number; ids?: { patient: string; study: string; series: string; instance: string } }[];
  }>;
}

export interface DicomSourceOptions {
  /** The loader's batch size. */
  batchSize: number;
  /** Whether the loader drops a final short batch (its `dropLast`). */
  dropLast: boolean;
  /** Maps an item's label to a class index; items without one get -1. Default: numeric labels as is. */
  labelOf?: (label: string | number) => number;
  /** Which id groups images for MICLe-style pairs (`Batch.groupIds`). Default 'study'. */
  groupBy?: 'patient' | 'study' | 'series';
  /** Batches smaller than this are skipped (a contrastive loss needs ≥ 2 images; default 2). */
  minBatch?: number;
  /** Data identity for checkpoints (e.g. the index hash). */
  fingerprint?: string;
}

/**
 * Adapts packages/dicom's BatchLoader to the trainer's BatchSource. The loader shuffles with
 * permutation(seed, epoch), so replaying an epoch on resume gives the same batches.
 */
export function dicomBatchSource(loader: DicomLoaderLike, options: DicomSourceOptions): BatchSource {
  const n = loader.samples.length;
  const b = options.batchSize;
  const minBatch = options.minBatch ?? 2;
  const tail = n % b;
  const batchesPerEpoch = Math.floor(n / b) + (!options.dropLast && tail >= minBatch ? 1 : 0);
  const labelOf = options.labelOf ?? ((l: string | number) => (typeof l === 'number' ? l : Number.NaN));
  const groupBy = options.groupBy ?? 'study';
  return {
    batchesPerEpoch,
    fingerprint: options.fingerprint,
    async *epoch(epoch: number): AsyncIterable<Batch> {
      for await (const raw of loader.epoch(epoch)) {
        if (raw.shape[0] < minBatch) continue;
        const batch: Batch = { images: raw.data, shape: raw.shape };
        if (raw.items.some((it) => it.label !== undefined)) {
          batch.labels = Int32Array.from(raw.items, (it) => {
            if (it.label === undefined) return -1;
            const c = labelOf(it.label);
            if (!Number.isInteger(c)) throw new RangeError(`label '${it.label}' has no class index: pass labelOf to map it`);
            return c;
          });
        }
        if (raw.items.every((it) => it.ids !== undefined)) batch.groupIds = raw.items.map((it) => it.ids![groupBy]);
        yield batch;
      }
    },
  };
}

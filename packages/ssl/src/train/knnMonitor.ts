import * as tf from '@tensorflow/tfjs-core';
import type { Encoder } from '../models/types.js';
import { embedImages } from '../eval/embed.js';
import { accuracy, knnClassify } from '../eval/knn.js';
import type { ImageSet } from './memorySource.js';

/**
 * kNN monitor (InstDisc/DINO): every `every` epochs, embed a labelled bank and labelled queries
 * with the current encoder and report the weighted-kNN accuracy of the queries — a cheap signal
 * that the representation is learning something, without training a classifier.
 */
export interface KnnMonitorConfig {
  /** Labelled images whose embeddings vote. */
  bank: ImageSet & { labels: Int32Array };
  /** Labelled images to classify (disjoint from the bank). */
  queries: ImageSet & { labels: Int32Array };
  /** Run after every `every`-th epoch (default 1). */
  every?: number;
  /** Default 20. */
  k?: number;
  /** Default 0.07. */
  temperature?: number;
  /** Images per forward pass (default 64). */
  batchSize?: number;
}

/** Weighted-kNN accuracy of the monitor's queries under `encoder`. */
export function knnMonitorAccuracy(encoder: Pick<Encoder, 'apply'>, config: KnnMonitorConfig): number {
  const bank = embedImages(encoder, config.bank, config.batchSize);
  const queries = embedImages(encoder, config.queries, config.batchSize);
  try {
    const r = knnClassify(bank, config.bank.labels, queries, { k: config.k, temperature: config.temperature });
    return accuracy(r.predictions, config.queries.labels);
  } finally {
    tf.dispose([bank, queries]);
  }
}

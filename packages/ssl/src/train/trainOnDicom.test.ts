import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BatchLoader, samplesFromFiles } from '@fedcl/dicom';
import { createMethod } from '../methods/createMethod.js';
import type { MethodConfig, SslMethod } from '../methods/types.js';
import { dicomBatchSource } from './dicomSource.js';
import { Trainer } from './trainer.js';
import type { TrainerConfig } from './trainerConfig.js';
import { fileURLToPath } from 'node:url';
import { loadAugmentConfig } from '../augment/loadAugmentConfig.js';
import { augmentViews } from './augmentViews.js';

await tf.setBackend('cpu');

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

/** Real MR and CT slices from pydicom's test data (apt-get install python3-pydicom). */
async function realSource() {
  let names: string[];
  try {
    names = readdirSync(PYDICOM_FILES);
  } catch {
    throw new Error(`${PYDICOM_FILES} missing: apt-get install python3-pydicom (or bash scripts/test-deps.sh)`);
  }
  const files = names.filter((f) => /^(MR_small(_RLE|_implicit|_expb|_padded)?|CT_small)\.dcm$/.test(f)).map((f) => join(PYDICOM_FILES, f));
  const { samples } = await samplesFromFiles(files);
  assert.ok(samples.length >= 6, `expected ≥ 6 readable slices, got ${samples.length}`);
  const loader = new BatchLoader(samples, { batchSize: 3, size: 16, dropLast: true, seed: 5 });
  return dicomBatchSource(loader, { batchSize: 3, dropLast: true, fingerprint: `pydicom:${samples.length}` });
}

const METHODS: MethodConfig[] = [
  { method: 'simclr', encoder: { arch: 'smallcnn', width: 4, inputSize: 16 }, seed: 1 },
  { method: 'moco', encoder: { arch: 'smallcnn', width: 4, inputSize: 16 }, queueSize: 12, seed: 1 },
  { method: 'byol', encoder: { arch: 'smallcnn', width: 4, inputSize: 16, norm: 'bn' }, seed: 1 },
];
/** The MR preset of configs/augment, as a site would use it. */
const VIEWS = augmentViews(loadAugmentConfig(fileURLToPath(new URL('../../../../configs/augment/mr.yaml', import.meta.url))));
const CONFIG: TrainerConfig = { epochs: 2, optimizer: { kind: 'lars', trustCoefficient: 0.02 }, lr: 0.5, warmupEpochs: 1, clipNorm: 5, seed: 2 };

function allWeights(m: SslMethod): Map<string, Buffer> {
  const { federated, local } = m.weights();
  return new Map([...federated, ...local].map(([k, t]) => [k, Buffer.from(t.dataSync().buffer.slice(0))]));
}

for (const methodConfig of METHODS) {
  test(`${methodConfig.method} on real DICOM slices: finite losses, flat memory, bitwise resume (EMA/queue/BN state included)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedcl-dcm-train-'));
    try {
      const source = await realSource();
      const perEpoch = source.batchesPerEpoch;
      const total = CONFIG.epochs * perEpoch;
      const a = createMethod(methodConfig);
      const losses: number[] = [];
      const counts: number[] = [];
      const straight = new Trainer({ method: a, source, makeViews: VIEWS, config: CONFIG, onProgress: (p) => (losses.push(p.loss), counts.push(tf.memory().numTensors)) });
      await straight.run();
      assert.equal(losses.length, total);
      assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
      assert.ok(counts.slice(1).every((c) => c === counts[1]), `numTensors per step ${counts}`);

      const b = createMethod(methodConfig);
      const first = new Trainer({ method: b, source: await realSource(), makeViews: VIEWS, config: CONFIG, checkpointDir: join(dir, 'ck') });
      await first.run({ maxSteps: perEpoch + 1 });
      first.dispose();
      b.dispose();
      const c = createMethod({ ...methodConfig, seed: 77 });
      const resumed = await Trainer.resume(join(dir, 'ck'), { method: c, source: await realSource(), makeViews: VIEWS });
      const r = await resumed.run();
      assert.equal(r.step, total);
      const wa = allWeights(a);
      const wc = allWeights(c);
      assert.deepEqual([...wc.keys()].sort(), [...wa.keys()].sort());
      for (const [k, v] of wa) assert.ok(wc.get(k)!.equals(v), `${k} differs after resume`);
      for (const t of [straight, resumed]) t.dispose();
      a.dispose();
      c.dispose();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
}

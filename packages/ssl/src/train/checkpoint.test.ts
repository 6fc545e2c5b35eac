import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadCheckpoint, saveCheckpoint, type CheckpointManifest } from './checkpoint.js';

await tf.setBackend('cpu');

const manifest = (step: number): Omit<CheckpointManifest, 'format' | 'version' | 'createdAt' | 'tfjs'> => ({
  method: 'simclr',
  methodConfig: null,
  trainer: { epochs: 1, optimizer: { kind: 'sgd' }, lr: 0.1, warmupEpochs: 0, minLr: 0, clipNorm: 0, fedProxMu: 0, seed: 0, checkpointEvery: 0 },
  backend: null,
  dataFingerprint: null,
  progress: { step, epoch: 0, stepInEpoch: step, totalSteps: 10 },
  optimizer: { config: { kind: 'sgd' }, iterations: step },
  rng: { seed: 0, scheme: 'stepSeed(seed, step)' },
  proxAnchor: false,
  metrics: { epochLoss: [], knn: [], currentEpoch: { lossSum: 0, steps: 0 } },
});

async function save(dir: string, step: number) {
  const w = tf.fill([2, 2], step);
  const q = tf.tensor([step], [1], 'int32');
  await saveCheckpoint(dir, manifest(step), { federated: new Map([['encoder/w', w]]), local: new Map([['queue_pointer', q]]), optimizer: new Map(), prox: new Map() });
  tf.dispose([w, q]);
}

test('groups round-trip by name and dtype; a save replaces the previous checkpoint', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-ck-'));
  try {
    const dir = join(root, 'ck');
    await save(dir, 1);
    await save(dir, 2);
    const { manifest: m, tensors } = await loadCheckpoint(dir);
    assert.equal(m.progress.step, 2);
    assert.deepEqual(Array.from(tensors.federated.get('encoder/w')!.dataSync()), [2, 2, 2, 2]);
    assert.equal(tensors.local.get('queue_pointer')!.dtype, 'int32');
    for (const g of Object.values(tensors)) tf.dispose([...g.values()]);
  } finally {
    rmSync(root, { recursive: true });
  }
});

test('a save interrupted between its renames still loads: the complete new copy, else the old one', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fedcl-ck-'));
  try {
    const dir = join(root, 'ck');
    await save(dir, 1);
    renameSync(dir, `${dir}.old-123`); // crash after moving the old copy away…
    await save(join(root, 'staging'), 2);
    renameSync(join(root, 'staging'), `${dir}.tmp-123`); // …with the new copy complete
    let { manifest: m, tensors } = await loadCheckpoint(dir);
    assert.equal(m.progress.step, 2);
    for (const g of Object.values(tensors)) tf.dispose([...g.values()]);

    rmSync(`${dir}.tmp-123`, { recursive: true });
    mkdirSync(`${dir}.tmp-124`); // an incomplete new copy is ignored
    writeFileSync(join(`${dir}.tmp-124`, 'weights.bin'), '');
    ({ manifest: m, tensors } = await loadCheckpoint(dir));
    assert.equal(m.progress.step, 1);
    for (const g of Object.values(tensors)) tf.dispose([...g.values()]);

    await save(dir, 3); // the next save clears the leftovers
    assert.deepEqual(readdirSync(root).sort(), ['ck']);
  } finally {
    rmSync(root, { recursive: true });
  }
});

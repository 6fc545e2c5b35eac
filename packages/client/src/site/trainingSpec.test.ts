import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentPresetFor, methodConfigOf, trainerConfigOf, trainingSpec, TrainingSpecError } from './trainingSpec.js';

test('trainingSpec fills defaults and keeps given values', () => {
  const s = trainingSpec({ method: 'moco', width: 8, queueSize: 64, learningRate: 0.01 });
  assert.equal(s.method, 'moco');
  assert.equal(s.width, 8);
  assert.equal(s.queueSize, 64);
  assert.equal(s.arch, 'resnet18');
  assert.equal(s.inputSize, 64);
  const m = methodConfigOf(s);
  assert.deepEqual(m, { method: 'moco', encoder: { arch: 'resnet18', width: 8, inputSize: 64, norm: 'gn' }, seed: 0, queueSize: 64 });
});

test('trainingSpec refuses unknown keys and bad values, naming them', () => {
  assert.throws(() => trainingSpec({ learningrate: 0.1 }), (e: Error) => e instanceof TrainingSpecError && /training\.learningrate is not a known setting/.test(e.message));
  assert.throws(() => trainingSpec({ method: 'simsiam' }), /training\.method = "simsiam": expected one of simclr/);
  assert.throws(() => trainingSpec({ batchSize: 1 }), /training\.batchSize = 1: expected an integer in \[2, 4096\]/);
  assert.throws(() => trainingSpec({ learningRate: -1 }), /learningRate = -1/);
  assert.throws(() => trainingSpec({ localEpochs: 1.5 }), /localEpochs/);
});

test('trainer config follows the spec, the round and FedProx μ', () => {
  const s = trainingSpec({ localEpochs: 3, optimizer: 'lars', seed: 7 });
  const a = trainerConfigOf(s, 2, 0.01);
  assert.equal(a.epochs, 3);
  assert.deepEqual(a.optimizer, { kind: 'lars' });
  assert.equal(a.fedProxMu, 0.01);
  assert.notEqual(trainerConfigOf(s, 3, 0).seed, a.seed);
});

test('augment preset: explicit wins, auto goes by modality', () => {
  assert.equal(augmentPresetFor(trainingSpec({ augment: 'ct' }), 'MR'), 'ct');
  assert.equal(augmentPresetFor(trainingSpec(), 'MR'), 'mr');
  assert.equal(augmentPresetFor(trainingSpec(), 'ct'), 'ct');
  assert.equal(augmentPresetFor(trainingSpec(), 'DX'), 'crdx');
  assert.equal(augmentPresetFor(trainingSpec(), undefined), 'crdx');
});

test('pairs: plain augmentations by default, MICLe by study or patient on request', () => {
  assert.equal(trainingSpec().pairs, 'augment');
  assert.equal(trainingSpec({ pairs: 'study' }).pairs, 'study');
  assert.throws(() => trainingSpec({ pairs: 'series' }), /training\.pairs = "series": expected one of augment, study, patient/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fileURLToPath } from 'node:url';
import { Rng } from '../augment/rng.js';
import { augmentBatch } from '../augment/augmentBatch.js';
import { loadAugmentConfig } from '../augment/loadAugmentConfig.js';
import { miclePartners, micleViews } from './micleViews.js';

await tf.setBackend('cpu');

test('MICLe partners: another member of the same group when there is one, else the image itself', () => {
  const groups = ['s1', 's2', 's1', 's3', 's1', 's2'];
  const seen = new Set<string>();
  for (let seed = 0; seed < 50; seed++) {
    const p = miclePartners(groups, new Rng(seed));
    p.forEach((j, i) => {
      assert.equal(groups[j], groups[i], `partner of ${i} is in its group`);
      if (groups[i] === 's3') assert.equal(j, i, 'a singleton pairs with itself');
      else assert.notEqual(j, i, 'a member of a larger group pairs with another image');
    });
    seen.add(p.join());
  }
  assert.ok(seen.size > 1, 'partners are drawn at random');
});

test('micleViews: view2[i] is the augmentation of its partner image, with the seeds drawn after the partners', () => {
  const aug = loadAugmentConfig(fileURLToPath(new URL('../../../../configs/augment/mr.yaml', import.meta.url)));
  const n = 5;
  const data = Float32Array.from({ length: n * 16 * 16 }, (_, k) => Math.floor(k / 256) + ((k * 37) % 11) / 11);
  const images = tf.tensor4d(data, [n, 16, 16, 1]);
  const groupIds = ['a', 'a', 'b', 'c', 'c'];
  const before = tf.memory().numTensors;
  const [v1, v2] = micleViews(aug)(images, new Rng(9), { images: data, shape: [n, 16, 16, 1], groupIds });
  assert.equal(tf.memory().numTensors, before + 2, 'only the two views are left');
  const rng = new Rng(9);
  const partners = miclePartners(groupIds, rng);
  assert.deepEqual([...partners], [1, 0, 2, 4, 3]);
  const s1 = rng.int();
  const s2 = rng.int();
  const e1 = augmentBatch(images, aug, s1);
  const gathered = tf.gather(images, tf.tensor1d(partners, 'int32'));
  const e2 = augmentBatch(gathered, aug, s2);
  assert.deepEqual(v1.dataSync(), e1.dataSync());
  assert.deepEqual(v2.dataSync(), e2.dataSync());
  tf.dispose([images, v1, v2, e1, e2, gathered]);
});

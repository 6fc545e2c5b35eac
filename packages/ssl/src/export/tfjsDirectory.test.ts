import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { directoryHandler, loadNamedTensors, saveNamedTensors } from './tfjsDirectory.js';

await tf.setBackend('cpu');

const bytes = (t: tf.Tensor) => Buffer.from(t.dataSync().buffer);

test('a LayersModel saved to a directory loads back with bit-exact weights and outputs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-tfjs-'));
  try {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    await model.save(directoryHandler(dir));
    assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.bin']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    assert.equal(json.weightsManifest[0].paths[0], './weights.bin');
    assert.equal(json.format, 'layers-model');

    const loaded = await tfl.loadLayersModel(directoryHandler(dir));
    const a = model.getWeights();
    const b = loaded.getWeights();
    assert.equal(b.length, a.length);
    a.forEach((w, i) => assert.deepEqual(bytes(b[i]!), bytes(w), `weight ${i}`));
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 9);
    const ya = model.predict(x) as tf.Tensor;
    const yb = loaded.predict(x) as tf.Tensor;
    assert.deepEqual(bytes(yb), bytes(ya));
    tf.dispose([x, ya, yb]);
    model.dispose();
    loaded.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('named tensors (no topology) round-trip bit-exactly with their metadata', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-tfjs-'));
  try {
    const named = new Map<string, tf.Tensor>([
      ['encoder/stem/conv/kernel', tf.randomNormal([3, 3, 1, 8], 0, 1, 'float32', 5)],
      ['encoder/stem/gn/gamma', tf.tensor([Number.NaN, -0, 1e-40, 2])],
      ['steps', tf.tensor([3, -4], [2], 'int32')],
    ]);
    await saveNamedTensors(dir, named, { encoder: { arch: 'smallcnn', width: 8 } }, 'fedcl-encoder');
    const back = await loadNamedTensors(dir);
    assert.equal(back.format, 'fedcl-encoder');
    assert.deepEqual(back.metadata, { encoder: { arch: 'smallcnn', width: 8 } });
    assert.deepEqual([...back.tensors.keys()], [...named.keys()]);
    for (const [k, t] of named) {
      const b = back.tensors.get(k)!;
      assert.equal(b.dtype, t.dtype, k);
      assert.deepEqual(b.shape, t.shape, k);
      assert.deepEqual(bytes(b), bytes(t), k);
    }
    tf.dispose([...named.values(), ...back.tensors.values()]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a missing directory fails with the path in the message', async () => {
  await assert.rejects(loadNamedTensors('/nonexistent/fedcl-model'), /\/nonexistent\/fedcl-model\/model.json/);
});

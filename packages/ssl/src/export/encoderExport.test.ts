import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createEncoder } from '../models/createEncoder.js';
import { exportEncoder, importEncoder, ENCODER_SAFETENSORS } from './encoderExport.js';
import { runPython } from '../train/testing/runPython.js';

await tf.setBackend('cpu');

const bytes = (t: tf.Tensor) => Buffer.from(t.dataSync().buffer, t.dataSync().byteOffset, t.dataSync().byteLength);
const referenceDir = fileURLToPath(new URL('../models/reference/', import.meta.url));

test('encoder export → import round-trips every weight bit-exactly, from tfjs and from safetensors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-enc-'));
  try {
    const enc = createEncoder({ arch: 'resnet18', width: 4, inputSize: 16, norm: 'bn' }, { seed: 3 });
    const files = await exportEncoder(enc, dir, { metadata: { round: '7' } });
    assert.equal(files.length, 3);
    const { federated, local } = enc.weights();
    const expected = new Map([...federated, ...local]);
    assert.ok(local.size > 0, 'BatchNorm running statistics are exported too');
    for (const src of [dir, join(dir, ENCODER_SAFETENSORS)]) {
      const back = await importEncoder(src);
      assert.deepEqual(back.config, enc.config);
      assert.deepEqual([...back.weights.keys()].sort(), [...expected.keys()].sort());
      for (const [k, t] of expected) {
        const b = back.weights.get(k)!;
        assert.deepEqual(b.shape, t.shape, k);
        assert.ok(bytes(b).equals(bytes(t)), `${src}: ${k} differs`);
      }
      tf.dispose([...back.weights.values()]);
    }
    enc.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('PyTorch rebuilds the encoder from encoder.safetensors alone and computes the same features', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-enc-'));
  try {
    const enc = createEncoder({ arch: 'smallcnn', width: 4, inputSize: 16, norm: 'gn', groups: 2 }, { seed: 5 });
    await exportEncoder(enc, dir, { formats: ['safetensors'] });
    const x = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const ours = enc.apply(x, false);
    const r = runPython<{ features: number[]; shape: number[] }>(
      `
import json, struct, sys, numpy as np
inp = json.load(sys.stdin)
sys.path.insert(0, inp['ref'])
import torch
from encoder_torch import build, tensor
b = open(inp['path'], 'rb').read()
(n,) = struct.unpack('<Q', b[:8]); h = json.loads(b[8:8 + n]); buf = b[8 + n:]
meta = h.pop('__metadata__')
assert meta['layout'] == 'torch'
weights = {}
for k, e in h.items():
    a = torch.from_numpy(np.frombuffer(buf[e['data_offsets'][0]:e['data_offsets'][1]], dtype='<f4').reshape(e['shape']).copy())
    # torch layout -> the tfjs layout the reference builder takes (it permutes back itself)
    if a.dim() == 4: a = a.permute(2, 3, 1, 0)
    weights[k] = {'shape': list(a.shape), 'data': a.flatten().tolist()}
model, _ = build(json.loads(meta['encoder']), weights)
model.eval()
with torch.no_grad():
    f = model(tensor(inp['x']).permute(0, 3, 1, 2))
print(json.dumps({'features': f.flatten().tolist(), 'shape': list(f.shape)}))
`,
      { path: join(dir, ENCODER_SAFETENSORS), ref: referenceDir, x: { shape: x.shape, data: Array.from(x.dataSync()) } },
      ['numpy', 'torch'],
    );
    assert.deepEqual(r.shape, ours.shape);
    const o = ours.dataSync();
    r.features.forEach((v, i) => assert.ok(Math.abs(v - o[i]!) <= 1e-4 + 1e-4 * Math.abs(v), `feature ${i}: torch ${v} vs tfjs ${o[i]}`));
    tf.dispose([x, ours]);
    enc.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('importing something that is not an encoder export says so', async () => {
  await assert.rejects(importEncoder('/nonexistent-dir'), /neither tfjs\/model.json nor encoder.safetensors/);
});

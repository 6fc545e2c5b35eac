import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadSafetensors, saveSafetensors } from './namedTensors.js';
import { runPython } from '../train/testing/runPython.js';

await tf.setBackend('cpu');

test("torch layout: PyTorch Conv2d/Linear loaded from our file compute what tfjs computes", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-st-'));
  try {
    const kernel = tf.randomNormal([3, 3, 2, 4], 0, 0.5, 'float32', 1); // HWIO
    const bias = tf.randomNormal([4], 0, 0.5, 'float32', 2);
    const dense = tf.randomNormal([4, 3], 0, 0.5, 'float32', 3); // [in, out]
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 4); // NHWC
    const y = tf.tidy(() => {
      const c = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 2, 'valid'), bias));
      return tf.matMul(tf.mean(c, [1, 2]), dense);
    });
    const named = new Map<string, tf.Tensor>([
      ['conv.weight', kernel],
      ['conv.bias', bias],
      ['fc.weight', dense],
    ]);
    const path = join(dir, 'enc.safetensors');
    await saveSafetensors(path, named, { layout: 'torch', metadata: { arch: 'test' } });

    const r = runPython<{ y: number[]; shapes: Record<string, number[]>; meta: Record<string, string> }>(
      `
import json, struct, sys, numpy as np, torch
inp = json.load(sys.stdin)
b = open(inp['path'], 'rb').read()
(n,) = struct.unpack('<Q', b[:8]); h = json.loads(b[8:8+n]); buf = b[8+n:]
meta = h.pop('__metadata__')
sd = {k: torch.from_numpy(np.frombuffer(buf[e['data_offsets'][0]:e['data_offsets'][1]], dtype='<f4').reshape(e['shape']).copy()) for k, e in h.items()}
conv = torch.nn.Conv2d(2, 4, 3, stride=2); fc = torch.nn.Linear(4, 3, bias=False)
conv.weight.data = sd['conv.weight']; conv.bias.data = sd['conv.bias']; fc.weight.data = sd['fc.weight']
x = torch.tensor(inp['x'], dtype=torch.float32).reshape(2, 6, 6, 2).permute(0, 3, 1, 2)
with torch.no_grad():
    y = fc(torch.relu(conv(x)).mean(dim=(2, 3)))
print(json.dumps({'y': y.reshape(-1).tolist(), 'shapes': {k: list(v.shape) for k, v in sd.items()}, 'meta': meta}))
`,
      { path, x: Array.from(x.dataSync()) },
      ['numpy', 'torch'],
    );
    assert.deepEqual(r.shapes, { 'conv.weight': [4, 2, 3, 3], 'conv.bias': [4], 'fc.weight': [3, 4] });
    assert.deepEqual(r.meta, { arch: 'test', layout: 'torch', format: 'pt' });
    const ours = y.dataSync();
    r.y.forEach((v, i) => assert.ok(Math.abs(v - ours[i]!) <= 1e-5, `${i}: torch ${v} vs tfjs ${ours[i]}`));

    // and back into tfjs layout, bit-exactly
    const back = await loadSafetensors(path);
    for (const [name, t] of named) {
      const b = back.tensors.get(name)!;
      assert.deepEqual(b.shape, t.shape, name);
      assert.deepEqual(Buffer.from(b.dataSync().buffer), Buffer.from(t.dataSync().buffer), name);
    }
    tf.dispose([kernel, bias, dense, x, y, ...back.tensors.values()]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('tfjs layout keeps int32 and float32 tensors bit-exact through a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedcl-st-'));
  try {
    const a = tf.tensor([1.1, Number.NaN, -0, 3e-42], [2, 2]);
    const b = tf.tensor([-7, 2 ** 31 - 1], [2], 'int32');
    const path = join(dir, 'w.safetensors');
    await saveSafetensors(path, new Map([['a', a], ['b', b]]));
    const back = await loadSafetensors(path);
    assert.equal(back.metadata.layout, 'tfjs');
    assert.equal(back.tensors.get('b')!.dtype, 'int32');
    assert.deepEqual(Buffer.from(back.tensors.get('a')!.dataSync().buffer), Buffer.from(a.dataSync().buffer));
    assert.deepEqual(Array.from(back.tensors.get('b')!.dataSync()), [-7, 2 ** 31 - 1]);
    tf.dispose([a, b, ...back.tensors.values()]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

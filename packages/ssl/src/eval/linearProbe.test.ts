import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fitLinearProbe, probePredict, probeProbabilities } from './linearProbe.js';
import { accuracy } from './knn.js';
import { Rng } from '../augment/rng.js';
import { runPython } from '../train/testing/runPython.js';

await tf.setBackend('cpu');

function blobs(n: number, d: number, c: number, seed: number, spread: number) {
  const rng = new Rng(seed);
  const centers = Array.from({ length: c }, () => Array.from(rng.normals(d)).map((x) => 2 * x + 3));
  const labels = Array.from({ length: n }, (_, i) => i % c);
  const x = labels.map((l) => centers[l]!.map((v) => v + spread * rng.normal()));
  return { x, labels };
}

test('the probe reaches the optimum of the regularised objective: zero naive gradient and PyTorch L-BFGS agree', () => {
  const { x, labels } = blobs(90, 5, 3, 4, 2.5);
  const l2 = 0.01;
  const xt = tf.tensor2d(x);
  const before = tf.memory().numTensors;
  const probe = fitLinearProbe(xt, Int32Array.from(labels), { l2, iterations: 800 });
  assert.equal(tf.memory().numTensors, before);
  const { dim: d, numClasses: c } = probe;

  // naive float64 gradient of J at the returned parameters, on the probe's standardisation
  const xs = x.map((row) => row.map((v, j) => (v - probe.mean[j]!) / probe.std[j]!));
  const gw = new Float64Array(d * c);
  const gb = new Float64Array(c);
  xs.forEach((row, i) => {
    const logits = Array.from({ length: c }, (_, k) => probe.bias[k]! + row.reduce((s, v, j) => s + v * probe.weights[j * c + k]!, 0));
    const mx = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - mx));
    const z = e.reduce((a, b) => a + b, 0);
    e.forEach((ek, k) => {
      const r = ek / z - (labels[i] === k ? 1 : 0);
      gb[k]! += r / xs.length;
      row.forEach((v, j) => (gw[j * c + k]! += (r * v) / xs.length));
    });
  });
  probe.weights.forEach((w, i) => (gw[i]! += l2 * w));
  const gnorm = Math.sqrt([...gw, ...gb].reduce((s, g) => s + g * g, 0));
  assert.ok(gnorm < 1e-3, `gradient norm at the solution ${gnorm}`);

  const ref = runPython<{ p: number[]; loss: number }>(
    `
import json, sys, torch
inp = json.load(sys.stdin)
torch.set_default_dtype(torch.float64)
x = torch.tensor(inp['x']); y = torch.tensor(inp['y'])
x = (x - x.mean(0)) / x.std(0, unbiased=False)
W = torch.zeros(x.shape[1], inp['c'], requires_grad=True); b = torch.zeros(inp['c'], requires_grad=True)
opt = torch.optim.LBFGS([W, b], lr=1, max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-14, history_size=50, line_search_fn='strong_wolfe')
def objective():
    return torch.nn.functional.cross_entropy(x @ W + b, y) + inp['l2'] / 2 * (W ** 2).sum()
def closure():
    opt.zero_grad(); l = objective(); l.backward(); return l
opt.step(closure)
with torch.no_grad():
    print(json.dumps({'p': torch.softmax(x @ W + b, 1).reshape(-1).tolist(), 'loss': float(objective())}))
`,
    { x, y: labels, c, l2 },
    ['torch'],
  );
  assert.ok(Math.abs(probe.loss - ref.loss) < 1e-4, `objective ${probe.loss} vs torch ${ref.loss}`);
  const p = probeProbabilities(probe, xt);
  ref.p.forEach((v, i) => assert.ok(Math.abs(p[i]! - v) < 2e-3, `prob ${i}: ${p[i]} vs torch ${v}`));
  xt.dispose();
});

test('separable blobs are classified on held-out data', () => {
  const train = blobs(60, 6, 3, 8, 0.5);
  const test_ = blobs(30, 6, 3, 8, 0.5);
  const xt = tf.tensor2d(train.x);
  const xq = tf.tensor2d(test_.x);
  const probe = fitLinearProbe(xt, Int32Array.from(train.labels), { iterations: 200 });
  assert.equal(accuracy(probePredict(probe, xq), test_.labels), 1);
  tf.dispose([xt, xq]);
  assert.throws(() => fitLinearProbe(xt, new Int32Array(3)), /60 feature rows but 3 labels/);
});

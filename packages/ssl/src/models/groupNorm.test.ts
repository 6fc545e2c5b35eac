import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import './registerGradients.js';
import { groupNorm, groupsFor } from './groupNorm.js';
import { Rng } from '../augment/rng.js';
import { TORCH_PYTHON } from '../losses/reference/torchReference.js';

await tf.setBackend('cpu');

/** Wu & He Eq. (1)–(2) with explicit loops over n, g and the (h, w, c∈g) set. */
function naiveGroupNorm(x: Float32Array, [n, h, w, c]: number[], gamma: number[], beta: number[], groups: number): Float64Array {
  const out = new Float64Array(x.length);
  const cg = c! / groups;
  const at = (i: number, y: number, xx: number, ch: number) => ((i * h! + y) * w! + xx) * c! + ch;
  for (let i = 0; i < n!; i++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let y = 0; y < h!; y++) for (let xx = 0; xx < w!; xx++) for (let k = 0; k < cg; k++) idx.push(at(i, y, xx, g * cg + k));
      const mean = idx.reduce((s, j) => s + x[j]!, 0) / idx.length;
      const variance = idx.reduce((s, j) => s + (x[j]! - mean) ** 2, 0) / idx.length;
      for (const j of idx) {
        const ch = j % c!;
        out[j] = ((x[j]! - mean) / Math.sqrt(variance + 1e-5)) * gamma[ch]! + beta[ch]!;
      }
    }
  }
  return out;
}

const shape: [number, number, number, number] = [2, 5, 4, 6];
const rng = new Rng(5);
const data = Float32Array.from({ length: 2 * 5 * 4 * 6 }, () => rng.normal() * 3 + 1);
const gamma = Array.from({ length: 6 }, () => rng.normal());
const beta = Array.from({ length: 6 }, () => rng.normal());
const run = (g: number) => groupNorm(tf.tensor4d(data, shape), tf.tensor1d(gamma), tf.tensor1d(beta), g).dataSync();

test('groupNorm matches a naive loop over groups (G = 1, 2, 3, 6)', () => {
  for (const g of [1, 2, 3, 6]) {
    const got = run(g);
    const want = naiveGroupNorm(data, shape, gamma, beta, g);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4, `G=${g} [${i}]: ${got[i]} vs ${want[i]}`);
  }
});

test('groupNorm matches torch.nn.GroupNorm on a fixed input', () => {
  const script = `
import json, sys, torch
r = json.load(sys.stdin)
x = torch.tensor(r["x"], dtype=torch.float64).reshape(${JSON.stringify(shape)}).permute(0, 3, 1, 2)
out = []
for g in r["groups"]:
    gn = torch.nn.GroupNorm(g, 6, eps=1e-5).double()
    gn.weight.data = torch.tensor(r["gamma"], dtype=torch.float64); gn.bias.data = torch.tensor(r["beta"], dtype=torch.float64)
    out.append(gn(x).permute(0, 2, 3, 1).flatten().tolist())
print(json.dumps(out))`;
  const groups = [2, 3];
  const r = spawnSync(TORCH_PYTHON, ['-c', script], { input: JSON.stringify({ x: Array.from(data), gamma, beta, groups }), encoding: 'utf8' });
  assert.equal(r.status, 0, `PyTorch reference failed (apt-get install python3-torch): ${r.stderr}`);
  const wants = JSON.parse(r.stdout) as number[][];
  groups.forEach((g, k) => {
    const got = run(g), want = wants[k]!;
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4, `G=${g} [${i}]: ${got[i]} vs torch ${want[i]}`);
  });
});

test('groupNorm on [N,C] normalises each sample over its group of features', () => {
  const got = groupNorm(tf.tensor2d([[1, 3, 10, 30], [0, 2, -5, 5]]), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 2).arraySync() as number[][];
  const a = 1 / Math.sqrt(1 + 1e-5), b = 10 / Math.sqrt(100 + 1e-5), c = 5 / Math.sqrt(25 + 1e-5);
  const want = [[-a, a, -b, b], [-a, a, -c, c]];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) assert.ok(Math.abs(got[i]![j]! - want[i]![j]!) < 1e-5, `${i},${j}: ${got[i]![j]}`);
});

test('groupsFor picks a group count dividing the channels', () => {
  assert.equal(groupsFor(16, 8), 8);
  assert.equal(groupsFor(4, 8), 4);
  assert.equal(groupsFor(12, 8), 4);
  assert.equal(groupsFor(7, 8), 1);
});

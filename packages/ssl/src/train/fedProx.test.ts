import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { proximalTerm } from './fedProx.js';

await tf.setBackend('cpu');

test('the proximal term is (μ/2)‖w − w_g‖² and its gradient is μ(w − w_g)', () => {
  const mu = 0.3;
  const w0 = [[1, -2, 0.5, 4], [3, 0]];
  const g0 = [[0.5, -1, 0.5, 1], [-1, 2]];
  const vars = w0.map((a, i) => tf.variable(tf.tensor(a, i === 0 ? [2, 2] : [2]), true, `prox_w${i}`));
  const anchors = g0.map((a, i) => tf.tensor(a, i === 0 ? [2, 2] : [2]));
  const { value, grads } = tf.variableGrads(() => proximalTerm(vars, anchors, mu), vars);
  let naive = 0;
  w0.forEach((a, i) => a.forEach((x, j) => (naive += (x - g0[i]![j]!) ** 2)));
  assert.ok(Math.abs(value.dataSync()[0]! - (mu / 2) * naive) < 1e-5);
  vars.forEach((v, i) => {
    const g = grads[v.name]!.dataSync();
    w0[i]!.forEach((x, j) => assert.ok(Math.abs(g[j]! - mu * (x - g0[i]![j]!)) < 1e-6, `var ${i}[${j}]`));
  });
  tf.dispose([value, ...Object.values(grads), ...vars, ...anchors]);
});

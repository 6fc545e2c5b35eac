import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom, type NamedTensors } from '@fedcl/protocol';
import { applyServerOptimizer } from './serverOptimizer.js';
import { addWeighted, createWeightedSum, weightedMean } from './weightedSum.js';

function randomModel(rnd: () => number, shapes: number[][]): NamedTensors {
  const m: NamedTensors = new Map();
  shapes.forEach((shape, i) => m.set(`encoder/t${i}`, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => (rnd() - 0.5) * 6) }));
  return m;
}

test('streaming FedAvg equals the sample-weighted mean to 1e-6 (random shapes, site counts, sample counts)', () => {
  const rnd = seededRandom(20261204);
  for (let trial = 0; trial < 40; trial++) {
    const rank = 1 + Math.floor(rnd() * 4);
    const shapes = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Array.from({ length: rank }, () => 1 + Math.floor(rnd() * 6)));
    const global = randomModel(rnd, shapes);
    const sites = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => ({ model: randomModel(rnd, shapes), samples: 1 + Math.floor(rnd() * 5000) }));
    const spec = [...global].map(([name, t]) => ({ name, shape: [...t.shape] }));
    const sum = createWeightedSum(spec);
    // Half the sites send full weights, half deltas: both must give the same average.
    sites.forEach((s, i) => {
      if (i % 2 === 0) addWeighted(sum, s.model, s.samples, global);
      else {
        const delta: NamedTensors = new Map([...s.model].map(([n, t]) => [n, { shape: t.shape, data: t.data.map((v, k) => v - global.get(n)!.data[k]!) }]));
        addWeighted(sum, delta, s.samples);
      }
    });
    const next = applyServerOptimizer({ name: 'fedavg', serverLr: 1 }, global, weightedMean(sum), new Map()).weights;
    const total = sites.reduce((a, s) => a + s.samples, 0);
    for (const [name, t] of next) {
      for (let k = 0; k < t.data.length; k++) {
        // Reference straight from the definition: Σ nᵢ wᵢ / Σ nᵢ.
        let ref = 0;
        for (const s of sites) ref += s.samples * s.model.get(name)!.data[k]!;
        ref /= total;
        assert.ok(Math.abs(t.data[k]! - ref) <= 1e-6 * Math.max(1, Math.abs(ref)), `trial ${trial} ${name}[${k}]: ${t.data[k]} vs ${ref}`);
      }
    }
    assert.equal(sum.count, sites.length);
    assert.equal(sum.weight, total);
  }
});

test('FedAdam matches a hand-computed step (Reddi et al. 2020, Algorithm 2), twice in a row', () => {
  // Two sites: site A (30 samples) moved w by +0.6, site B (10 samples) by −0.2 → Δ = (30·0.6 − 10·0.2)/40 = 0.4.
  const global: NamedTensors = new Map([['w', { shape: [2], data: new Float32Array([1, -2]) }]]);
  const sum = createWeightedSum([{ name: 'w', shape: [2] }]);
  addWeighted(sum, new Map([['w', { shape: [2], data: new Float32Array([0.6, 0]) }]]), 30);
  addWeighted(sum, new Map([['w', { shape: [2], data: new Float32Array([-0.2, 0]) }]]), 10);
  const delta = weightedMean(sum);
  assert.ok(Math.abs(delta.get('w')![0]! - 0.4) < 1e-7, 'inputs are fp32, so Δ is 0.4 to fp32 precision');
  const cfg = { name: 'fedadam' as const, serverLr: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
  const s1 = applyServerOptimizer(cfg, global, delta, new Map());
  // m₁ = 0.1·0.4 = 0.04;  v₁ = 0.99·1e-6 + 0.01·0.16 = 0.00160099;  √v₁ = 0.0400123731…
  // x₁ = 1 + 0.1·0.04 / (0.0400123731 + 0.001) = 1 + 0.004 / 0.0410123731 = 1.0975315…
  assert.ok(Math.abs(s1.state.get('m/w')![0]! - 0.04) < 1e-8);
  assert.ok(Math.abs(s1.state.get('v/w')![0]! - 0.00160099) < 1e-9);
  assert.ok(Math.abs(s1.weights.get('w')!.data[0]! - 1.0975315) < 1e-6);
  // The untouched coordinate: Δ = 0 → m = 0, x unchanged, v decays from τ².
  assert.equal(s1.weights.get('w')!.data[1], -2);
  // Second step with the same Δ = 0.4 from x₁:
  // m₂ = 0.9·0.04 + 0.1·0.4 = 0.076;  v₂ = 0.99·0.00160099 + 0.01·0.16 = 0.0031849801;  √v₂ = 0.0564356281…
  // x₂ = x₁ + 0.1·0.076 / (0.0564356281 + 0.001) = x₁ + 0.0076 / 0.0574356281 = x₁ + 0.1323224…
  const s2 = applyServerOptimizer(cfg, s1.weights, delta, s1.state);
  assert.ok(Math.abs(s2.state.get('m/w')![0]! - 0.076) < 1e-8);
  assert.ok(Math.abs(s2.weights.get('w')!.data[0]! - (1.0975315 + 0.1323224)) < 2e-6);
});

test('FedAvgM accumulates momentum: m₂ = β·Δ₁ + Δ₂', () => {
  const global: NamedTensors = new Map([['w', { shape: [1], data: new Float32Array([0]) }]]);
  const cfg = { name: 'fedavgm' as const, serverLr: 0.5, momentum: 0.9 };
  const s1 = applyServerOptimizer(cfg, global, new Map([['w', new Float64Array([1])]]), new Map());
  assert.equal(s1.weights.get('w')!.data[0], 0.5);
  const s2 = applyServerOptimizer(cfg, s1.weights, new Map([['w', new Float64Array([-2])]]), s1.state);
  // m₂ = 0.9·1 − 2 = −1.1;  x₂ = 0.5 + 0.5·(−1.1) = −0.05
  assert.ok(Math.abs(s2.weights.get('w')!.data[0]! + 0.05) < 1e-7);
});

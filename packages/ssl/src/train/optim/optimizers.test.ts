import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createOptimizer } from './createOptimizer.js';
import { Lars } from './lars.js';
import type { OptimizerConfig } from './types.js';
import { runPython } from '../testing/runPython.js';

await tf.setBackend('cpu');

/** Deterministic pseudo-random floats in [-1, 1). */
function randoms(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

const SHAPES = [[3, 4], [4], [2, 2, 3]];
const STEPS = 6;
const LRS = [0.1, 0.05, 0.2, 0.01, 0.3, 0.07];

/** Runs our optimizer over fixed gradients and lrs; returns final weights. */
function runOurs(config: OptimizerConfig): number[][] {
  const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(randoms(s.reduce((a, b) => a * b, 1), 100 + i), s)));
  const opt = createOptimizer(config);
  for (let t = 0; t < STEPS; t++) {
    const grads = SHAPES.map((s, i) => tf.tensor(randoms(s.reduce((a, b) => a * b, 1), 1000 * t + i), s));
    opt.apply(vars, grads, LRS[t]!);
    tf.dispose(grads);
  }
  const out = vars.map((v) => Array.from(v.dataSync()));
  opt.dispose();
  tf.dispose(vars);
  return out;
}

const TORCH_SCRIPT = `
import json, sys, torch
inp = json.load(sys.stdin)
out = {}
for name, cfg in inp['configs'].items():
    ps = [torch.tensor(w, dtype=torch.float32).reshape(s).requires_grad_() for w, s in zip(inp['init'], inp['shapes'])]
    k = cfg['kind']
    if k == 'adam':
        opt = torch.optim.AdamW(ps, lr=1.0, betas=(cfg['beta1'], cfg['beta2']), eps=cfg['epsilon'], weight_decay=cfg['weightDecay'])
    else:
        opt = torch.optim.SGD(ps, lr=1.0, momentum=cfg['momentum'], nesterov=cfg['nesterov'], weight_decay=cfg['weightDecay'])
    for t, lr in enumerate(inp['lrs']):
        for g in opt.param_groups: g['lr'] = lr
        for p, g, s in zip(ps, inp['grads'][t], inp['shapes']):
            p.grad = torch.tensor(g, dtype=torch.float32).reshape(s)
        opt.step()
    out[name] = [p.detach().reshape(-1).tolist() for p in ps]
print(json.dumps(out))
`;

test('Adam, AdamW and SGD (momentum, Nesterov, L2) match PyTorch step by step with a changing lr', () => {
  const configs: Record<string, OptimizerConfig> = {
    adam: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
    adamw: { kind: 'adam', beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1 },
    sgd: { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 0 },
    nesterov: { kind: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 0.05 },
    plain: { kind: 'sgd', momentum: 0, nesterov: false, weightDecay: 0 },
  };
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const ref = runPython<Record<string, number[][]>>(
    TORCH_SCRIPT,
    {
      configs,
      shapes: SHAPES,
      lrs: LRS,
      init: SHAPES.map((s, i) => randoms(size(s), 100 + i)),
      grads: Array.from({ length: STEPS }, (_, t) => SHAPES.map((s, i) => randoms(size(s), 1000 * t + i))),
    },
    ['torch'],
  );
  for (const [name, cfg] of Object.entries(configs)) {
    const ours = runOurs(cfg);
    ours.forEach((w, i) =>
      w.forEach((x, j) => {
        const r = ref[name]![i]![j]!;
        assert.ok(Math.abs(x - r) <= 2e-6 + 2e-6 * Math.abs(r), `${name} var ${i}[${j}]: ${x} vs torch ${r}`);
      }),
    );
  }
});

/** LARS written from the paper / SimCLR's reference code over plain float64 arrays. */
function naiveLars(
  init: number[][],
  grads: number[][][],
  ranks: number[],
  c: { momentum: number; weightDecay: number; eta: number; nesterov: boolean },
): number[][] {
  const w = init.map((a) => [...a]);
  const v = init.map((a) => a.map(() => 0));
  const norm = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));
  grads.forEach((gs, t) => {
    w.forEach((wl, l) => {
      const adapt = ranks[l]! > 1;
      const g = gs[l]!.map((x, j) => (adapt ? x + c.weightDecay * wl[j]! : x));
      let trust = 1;
      if (adapt) {
        const wn = norm(wl);
        const gn = norm(g);
        if (wn > 0 && gn > 0) trust = (c.eta * wn) / gn;
      }
      const lr = LRS[t]! * trust;
      for (let j = 0; j < wl.length; j++) {
        v[l]![j] = c.momentum * v[l]![j]! + lr * g[j]!;
        const d = c.nesterov ? c.momentum * v[l]![j]! + lr * g[j]! : v[l]![j]!;
        wl[j] = wl[j]! - d;
      }
    });
  });
  return w;
}

test('LARS matches a naive per-layer loop (trust ratio, weight decay, vectors excluded)', () => {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  for (const nesterov of [false, true]) {
    const c = { momentum: 0.9, weightDecay: 0.01, eta: 0.02, nesterov };
    const ours = runOurs({ kind: 'lars', momentum: 0.9, weightDecay: 0.01, trustCoefficient: 0.02, nesterov });
    const ref = naiveLars(
      SHAPES.map((s, i) => randoms(size(s), 100 + i)),
      Array.from({ length: STEPS }, (_, t) => SHAPES.map((s, i) => randoms(size(s), 1000 * t + i))),
      SHAPES.map((s) => s.length),
      c,
    );
    ours.forEach((w, i) =>
      w.forEach((x, j) => assert.ok(Math.abs(x - ref[i]![j]!) <= 1e-6, `nesterov=${nesterov} var ${i}[${j}]: ${x} vs ${ref[i]![j]}`)),
    );
  }
});

test('LARS trust ratio falls back to 1 for zero weights', () => {
  const v = tf.variable(tf.zeros([2, 2]));
  const opt = new Lars({ momentum: 0, weightDecay: 0 });
  const g = tf.ones([2, 2]);
  opt.apply([v], [g], 0.5);
  assert.deepEqual(Array.from(v.dataSync()), [-0.5, -0.5, -0.5, -0.5]);
  tf.dispose([v, g]);
  opt.dispose();
});

test('state round-trip: k steps, save, fresh optimizer, restore, rest == all steps at once (bitwise)', () => {
  for (const config of [{ kind: 'adam' }, { kind: 'lars' }, { kind: 'sgd', nesterov: true }] as OptimizerConfig[]) {
    const straight = runOurs(config);
    const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(randoms(s.reduce((a, b) => a * b, 1), 100 + i), s)));
    let opt = createOptimizer(config);
    for (let t = 0; t < STEPS; t++) {
      if (t === 3) {
        const state = opt.getState();
        opt.dispose();
        opt = createOptimizer(config);
        opt.setState(state);
        tf.dispose([...state.slots.values()]);
      }
      const grads = SHAPES.map((s, i) => tf.tensor(randoms(s.reduce((a, b) => a * b, 1), 1000 * t + i), s));
      opt.apply(vars, grads, LRS[t]!);
      tf.dispose(grads);
    }
    assert.equal(opt.iterations, STEPS);
    vars.forEach((v, i) => assert.deepEqual(Array.from(v.dataSync()), straight[i], `${config.kind} var ${i}`));
    opt.dispose();
    tf.dispose(vars);
  }
});

test('no tensor leaks across steps', () => {
  const v = tf.variable(tf.ones([5, 3]));
  const opt = createOptimizer({ kind: 'adam' });
  const g = tf.fill([5, 3], 0.3);
  opt.apply([v], [g], 0.1);
  const after1 = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) opt.apply([v], [g], 0.1);
  assert.equal(tf.memory().numTensors, after1);
  opt.dispose();
  tf.dispose([v, g]);
});

test('bad input is refused with a clear message', () => {
  assert.throws(() => createOptimizer({ kind: 'adam', beta1: 1 }), /beta1/);
  assert.throws(() => createOptimizer({ kind: 'nope' } as unknown as OptimizerConfig), /unknown optimizer kind 'nope'/);
  const v = tf.variable(tf.ones([2]));
  const g = tf.ones([3]);
  assert.throws(() => createOptimizer({ kind: 'sgd' }).apply([v], [g], 0.1), /shape \[3\].*\[2\]/);
  tf.dispose([v, g]);
});

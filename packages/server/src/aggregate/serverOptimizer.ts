import type { NamedTensors } from '@fedcl/protocol';

/**
 * Server optimisers of "Adaptive Federated Optimization" (Reddi et al., 2020, arXiv:2003.00295,
 * Algorithm 2). Δ is the sample-weighted mean of the site deltas (xᵢ − x).
 *   FedAvg:  x ← x + η Δ                                  (η = 1 is plain FedAvg)
 *   FedAvgM: m ← β m + Δ;  x ← x + η m                    (Hsu et al., 2019)
 *   FedAdam: m ← β₁ m + (1−β₁) Δ;  v ← β₂ v + (1−β₂) Δ²;  x ← x + η m / (√v + τ),  v₀ = τ²
 */
export type ServerOptimizerConfig =
  | { name: 'fedavg'; serverLr: number }
  | { name: 'fedavgm'; serverLr: number; momentum: number }
  | { name: 'fedadam'; serverLr: number; beta1: number; beta2: number; tau: number };

/** Optimiser state per tensor name: `m/<name>`, `v/<name>` (empty for FedAvg). */
export type OptimizerState = Map<string, Float32Array>;

export interface OptimizerStep {
  weights: NamedTensors;
  state: OptimizerState;
}

/** x (fp32 global), Δ (float64 mean delta) → next global and state. Pure: inputs are not modified. */
export function applyServerOptimizer(config: ServerOptimizerConfig, global: NamedTensors, delta: Map<string, Float64Array>, state: OptimizerState): OptimizerStep {
  const weights: NamedTensors = new Map();
  const next: OptimizerState = new Map();
  for (const [name, x] of global) {
    const d = delta.get(name);
    if (!d || d.length !== x.data.length) throw new RangeError(`delta for '${name}' is missing or has the wrong size`);
    const out = new Float32Array(x.data.length);
    const eta = config.serverLr;
    if (config.name === 'fedavg') {
      for (let i = 0; i < out.length; i++) out[i] = x.data[i]! + eta * d[i]!;
    } else if (config.name === 'fedavgm') {
      const m = new Float32Array(out.length);
      const prev = state.get(`m/${name}`);
      for (let i = 0; i < out.length; i++) {
        m[i] = config.momentum * (prev ? prev[i]! : 0) + d[i]!;
        out[i] = x.data[i]! + eta * m[i]!;
      }
      next.set(`m/${name}`, m);
    } else {
      const { beta1, beta2, tau } = config;
      const m = new Float32Array(out.length);
      const v = new Float32Array(out.length);
      const pm = state.get(`m/${name}`);
      const pv = state.get(`v/${name}`);
      for (let i = 0; i < out.length; i++) {
        const g = d[i]!;
        const mi = beta1 * (pm ? pm[i]! : 0) + (1 - beta1) * g;
        const vi = beta2 * (pv ? pv[i]! : tau * tau) + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        out[i] = x.data[i]! + (eta * mi) / (Math.sqrt(vi) + tau);
      }
      next.set(`m/${name}`, m);
      next.set(`v/${name}`, v);
    }
    weights.set(name, { shape: x.shape, data: out });
  }
  return { weights, state: next };
}

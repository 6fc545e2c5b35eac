import type { NamedTensors } from '@fedcl/protocol';
import { fedAdamStep } from './fedAdam.js';
import { fedAvgStep } from './fedAvg.js';
import { fedAvgMStep } from './fedAvgM.js';

/** The server optimisers of Reddi et al., 2020 (arXiv:2003.00295); Δ = sample-weighted mean site delta. */
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

/** x (fp32 global), Δ (float64 mean delta) → next global and state. Pure: the inputs are not modified. */
export function applyServerOptimizer(config: ServerOptimizerConfig, global: NamedTensors, delta: Map<string, Float64Array>, state: OptimizerState): OptimizerStep {
  const weights: NamedTensors = new Map();
  const next: OptimizerState = new Map();
  const carried = (key: string, n: number, init: number): Float32Array => {
    const prev = state.get(key);
    const s = prev ? Float32Array.from(prev) : new Float32Array(n).fill(init);
    next.set(key, s);
    return s;
  };
  for (const [name, x] of global) {
    const d = delta.get(name);
    if (!d || d.length !== x.data.length) throw new RangeError(`delta for '${name}' is missing or has the wrong size`);
    const out = new Float32Array(x.data.length);
    if (config.name === 'fedavg') fedAvgStep(x.data, d, config.serverLr, out);
    else if (config.name === 'fedavgm') fedAvgMStep(x.data, d, carried(`m/${name}`, out.length, 0), config, out);
    else fedAdamStep(x.data, d, carried(`m/${name}`, out.length, 0), carried(`v/${name}`, out.length, config.tau * config.tau), config, out);
    weights.set(name, { shape: x.shape, data: out });
  }
  return { weights, state: next };
}

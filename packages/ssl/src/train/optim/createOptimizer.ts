import { Adam } from './adam.js';
import { Lars } from './lars.js';
import { Sgd } from './sgd.js';
import { OptimizerError, type Optimizer, type OptimizerConfig } from './types.js';

/** Builds the optimizer a (JSON) configuration names, with the paper defaults for missing fields. */
export function createOptimizer(config: OptimizerConfig): Optimizer {
  const { kind, ...rest } = config;
  switch (kind) {
    case 'adam':
      return new Adam(rest);
    case 'sgd':
      return new Sgd(rest);
    case 'lars':
      return new Lars(rest);
    default:
      throw new OptimizerError(`unknown optimizer kind '${String(kind)}': use 'adam', 'sgd' or 'lars'`);
  }
}

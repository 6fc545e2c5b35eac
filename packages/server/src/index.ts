export { startCoordinator, type Coordinator, type StartOptions } from './coordinator.js';
export { FederationConfig, parseFederationConfig, roundConfigOf, configHash } from './config.js';
export { createWeightedSum, addWeighted, weightedMean, type WeightedSum } from './aggregate/weightedSum.js';
export { applyServerOptimizer, type ServerOptimizerConfig, type OptimizerState } from './aggregate/serverOptimizer.js';
export { selectSites } from './rounds/selection.js';
export { Store } from './store/store.js';

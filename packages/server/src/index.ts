export { startCoordinator, type Coordinator, type StartOptions } from './coordinator.js';
export { FederationConfig, parseFederationConfig, roundConfigOf, configHash } from './config.js';
export { createWeightedSum, addWeighted, weightedMean, type WeightedSum } from './aggregate/weightedSum.js';
export { applyServerOptimizer, type ServerOptimizerConfig, type OptimizerState } from './aggregate/serverOptimizer.js';
export { selectSites } from './rounds/selection.js';
export { Store } from './store/store.js';
export type { ExtraRoutes } from './http/app.js';
export type { CoordinatorContext } from './http/context.js';
export { RoundController, type SiteChannel } from './rounds/roundController.js';

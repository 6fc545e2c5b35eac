import type { OptimizerConfig } from './optim/types.js';

/** Trainer settings; JSON-serialisable (they go into every checkpoint manifest). */
export interface TrainerConfig {
  /** Passes over the BatchSource. */
  epochs: number;
  optimizer: OptimizerConfig;
  /** Peak learning rate (after warmup). */
  lr: number;
  /** Linear warmup length in epochs, may be fractional (default 0). */
  warmupEpochs?: number;
  /** Floor of the cosine decay (default 0). */
  minLr?: number;
  /** Clip gradients to this global L2 norm (0 = no clipping, the default). */
  clipNorm?: number;
  /** FedProx μ (0 = off, the default); anchors are set with `Trainer.setProxAnchor`. */
  fedProxMu?: number;
  /** Seed of the augmentation randomness (default 0). */
  seed?: number;
  /** Save a checkpoint every this many steps when a checkpoint directory is given (0 = only at the end). */
  checkpointEvery?: number;
}

export class TrainerConfigError extends Error {
  override name = 'TrainerConfigError';
}

/** Fills defaults and refuses nonsense, naming the field. */
export function resolveTrainerConfig(c: TrainerConfig): Required<TrainerConfig> {
  const r: Required<TrainerConfig> = { warmupEpochs: 0, minLr: 0, clipNorm: 0, fedProxMu: 0, seed: 0, checkpointEvery: 0, ...c };
  if (!Number.isInteger(r.epochs) || r.epochs < 1) throw new TrainerConfigError(`epochs must be an integer ≥ 1, got ${r.epochs}`);
  if (!(r.lr > 0)) throw new TrainerConfigError(`lr must be > 0, got ${r.lr}`);
  if (!(r.warmupEpochs >= 0 && r.warmupEpochs <= r.epochs)) throw new TrainerConfigError(`warmupEpochs must be in [0, epochs=${r.epochs}], got ${r.warmupEpochs}`);
  if (!(r.minLr >= 0 && r.minLr <= r.lr)) throw new TrainerConfigError(`minLr must be in [0, lr=${r.lr}], got ${r.minLr}`);
  if (!(r.clipNorm >= 0)) throw new TrainerConfigError(`clipNorm must be ≥ 0, got ${r.clipNorm}`);
  if (!(r.fedProxMu >= 0)) throw new TrainerConfigError(`fedProxMu must be ≥ 0, got ${r.fedProxMu}`);
  if (!Number.isInteger(r.checkpointEvery) || r.checkpointEvery < 0) throw new TrainerConfigError(`checkpointEvery must be an integer ≥ 0, got ${r.checkpointEvery}`);
  return r;
}

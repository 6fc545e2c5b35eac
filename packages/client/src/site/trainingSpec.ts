import type { MethodConfig, MethodName, TrainerConfig } from '@fedcl/ssl';

/**
 * What a round asks a site to train, read from the coordinator's `training` record
 * (configs/federation.yaml → round.start.config.training). Every site builds the same model from
 * it, so the federated weight names and shapes agree.
 */
export interface TrainingSpec {
  method: MethodName;
  /** Encoder architecture. */
  arch: 'resnet18' | 'smallcnn';
  /** Base channel width of the encoder. */
  width: number;
  /** Side of the square training images (pixels). */
  inputSize: number;
  norm: 'gn' | 'bn';
  /** Local passes over the site's data per round. */
  localEpochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: 'adam' | 'sgd' | 'lars';
  /** Augmentation preset (configs/augment/<name>.yaml); `auto` picks by the site's main modality. */
  augment: 'auto' | 'crdx' | 'mr' | 'ct';
  /**
   * Positive pairs: two augmentations of one image (`augment`), or MICLe-style two images of one
   * study or patient (`study`, `patient`; arXiv:2101.05224), each augmented.
   */
  pairs: 'augment' | 'study' | 'patient';
  /** NT-Xent / InfoNCE temperature (SimCLR, MoCo, SupCon); the method's default when absent. */
  temperature?: number;
  /** MoCo queue length. */
  queueSize?: number;
  /** Seed of weight initialisation and augmentation. */
  seed: number;
}

export class TrainingSpecError extends Error {
  override readonly name = 'TrainingSpecError';
}

export const DEFAULT_TRAINING_SPEC: TrainingSpec = {
  method: 'simclr',
  arch: 'resnet18',
  width: 16,
  inputSize: 64,
  norm: 'gn',
  localEpochs: 1,
  batchSize: 32,
  learningRate: 0.001,
  optimizer: 'adam',
  augment: 'auto',
  pairs: 'augment',
  seed: 0,
};

type Raw = Record<string, number | string | boolean>;

const METHODS: readonly MethodName[] = ['simclr', 'moco', 'byol', 'supcon', 'triplet'];

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TrainingSpecError(`training.${key} = ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
}

function int(key: string, value: unknown, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new TrainingSpecError(`training.${key} = ${JSON.stringify(value)}: expected an integer in [${min}, ${max}]`);
}

function positive(key: string, value: unknown, max: number): number {
  if (typeof value === 'number' && value > 0 && value <= max) return value;
  throw new TrainingSpecError(`training.${key} = ${JSON.stringify(value)}: expected a number in (0, ${max}]`);
}

/**
 * Validates a round's training record into a TrainingSpec, defaults filled. Unknown keys are
 * refused (a typo would otherwise silently train something else), naming the key.
 */
export function trainingSpec(raw: Raw = {}): TrainingSpec {
  const known = new Set([...Object.keys(DEFAULT_TRAINING_SPEC), 'temperature', 'queueSize']);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) throw new TrainingSpecError(`training.${key} is not a known setting; known: ${[...known].sort().join(', ')}`);
  }
  const r = { ...DEFAULT_TRAINING_SPEC, ...raw } as Record<string, unknown>;
  const spec: TrainingSpec = {
    method: oneOf('method', r.method, METHODS),
    arch: oneOf('arch', r.arch, ['resnet18', 'smallcnn'] as const),
    width: int('width', r.width, 1, 512),
    inputSize: int('inputSize', r.inputSize, 16, 1024),
    norm: oneOf('norm', r.norm, ['gn', 'bn'] as const),
    localEpochs: int('localEpochs', r.localEpochs, 1, 1000),
    batchSize: int('batchSize', r.batchSize, 2, 4096),
    learningRate: positive('learningRate', r.learningRate, 10),
    optimizer: oneOf('optimizer', r.optimizer, ['adam', 'sgd', 'lars'] as const),
    augment: oneOf('augment', r.augment, ['auto', 'crdx', 'mr', 'ct'] as const),
    pairs: oneOf('pairs', r.pairs, ['augment', 'study', 'patient'] as const),
    seed: int('seed', r.seed, 0, 2 ** 31 - 1),
  };
  if (r.temperature !== undefined) spec.temperature = positive('temperature', r.temperature, 100);
  if (r.queueSize !== undefined) spec.queueSize = int('queueSize', r.queueSize, 1, 1 << 20);
  return spec;
}

/** The method (encoder + heads) a spec describes. */
export function methodConfigOf(spec: TrainingSpec): MethodConfig {
  const base = { encoder: { arch: spec.arch, width: spec.width, inputSize: spec.inputSize, norm: spec.norm }, seed: spec.seed };
  switch (spec.method) {
    case 'simclr':
    case 'supcon':
      return { method: spec.method, ...base, ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}) };
    case 'moco':
      return {
        method: 'moco',
        ...base,
        ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
        ...(spec.queueSize !== undefined ? { queueSize: spec.queueSize } : {}),
      };
    case 'byol':
    case 'triplet':
      return { method: spec.method, ...base };
  }
}

/** The local trainer settings of one round; `round` varies the augmentation seed per round. */
export function trainerConfigOf(spec: TrainingSpec, round: number, proximalMu: number): TrainerConfig {
  return {
    epochs: spec.localEpochs,
    optimizer: { kind: spec.optimizer },
    lr: spec.learningRate,
    fedProxMu: proximalMu,
    clipNorm: 10,
    seed: spec.seed * 1000 + round,
  };
}

/** The augmentation preset for a site whose images are mostly `modality`. */
export function augmentPresetFor(spec: TrainingSpec, modality: string | undefined): 'crdx' | 'mr' | 'ct' {
  if (spec.augment !== 'auto') return spec.augment;
  const m = (modality ?? '').toUpperCase();
  if (m === 'MR') return 'mr';
  if (m === 'CT') return 'ct';
  return 'crdx';
}

import type * as tf from '@tensorflow/tfjs-core';

/** Adam with decoupled weight decay (AdamW when weightDecay > 0). Kingma & Ba, arXiv:1412.6980;
 * Loshchilov & Hutter, arXiv:1711.05101. Same update as `torch.optim.AdamW` (and `Adam` at wd 0). */
export interface AdamConfig {
  kind: 'adam';
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Added to √v̂ (default 1e-8). */
  epsilon?: number;
  /** Decoupled: w ← w − lr·wd·w before the Adam step (default 0). */
  weightDecay?: number;
}

/** SGD with heavy-ball momentum, as `torch.optim.SGD` (dampening 0): the lr multiplies the
 * momentum buffer, so a changing lr does not rescale past gradients. */
export interface SgdConfig {
  kind: 'sgd';
  /** Default 0.9 (0 = plain SGD). */
  momentum?: number;
  /** Default false. */
  nesterov?: boolean;
  /** Coupled L2: g ← g + wd·w (default 0). */
  weightDecay?: number;
}

/**
 * LARS, layer-wise adaptive rate scaling (You, Gitman, Ginsburg 2017, arXiv:1708.03888), in the
 * form SimCLR (arXiv:2002.05709) and BYOL train with:
 * g ← g + wd·w; trust = η‖w‖/‖g‖ (1 when either norm is 0); v ← m·v + lr·trust·g; w ← w − v.
 */
export interface LarsConfig {
  kind: 'lars';
  /** Default 0.9. */
  momentum?: number;
  /** Default 1e-6 (SimCLR). */
  weightDecay?: number;
  /** η, the trust coefficient (default 0.001, the paper's). */
  trustCoefficient?: number;
  /** Default false. */
  nesterov?: boolean;
  /** 1-D variables (biases, norm scale/offset) get neither weight decay nor the trust ratio,
   * as in SimCLR and BYOL (default true). */
  excludeVectors?: boolean;
}

export type OptimizerConfig = AdamConfig | SgdConfig | LarsConfig;
export type OptimizerKind = OptimizerConfig['kind'];

/** Optimizer state for checkpoints: slot tensors keyed '<variable index>/<slot>'. */
export interface OptimizerState {
  /** Updates applied so far (Adam's bias correction uses it). */
  iterations: number;
  slots: Map<string, tf.Tensor>;
}

/**
 * A first-order optimizer whose learning rate is given per step (the schedule lives in the
 * trainer) and whose whole state can be saved and restored.
 * Variables are identified by their index in the list passed to `apply`, which must be the same
 * list, in the same order, at every step and across a checkpoint.
 */
export interface Optimizer {
  readonly config: OptimizerConfig;
  readonly iterations: number;
  /** One update: variables[i] -= f(grads[i]). grads[i] has variables[i]'s shape; not disposed. */
  apply(variables: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number): void;
  /** Copies of the state (the caller disposes the slot tensors). */
  getState(): OptimizerState;
  /** Replaces the state with copies of `state`'s tensors. */
  setState(state: OptimizerState): void;
  dispose(): void;
}

export class OptimizerError extends Error {
  override name = 'OptimizerError';
}

import type * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderConfig } from '../models/types.js';
import type { HeadSpec } from '../heads/types.js';

export type MethodName = 'simclr' | 'moco' | 'byol' | 'supcon' | 'triplet';

/** Weights accepted by `setWeights`: tensors or raw float32 data of the right size. */
export type WeightValues = Map<string, Float32Array | tf.Tensor>;

/**
 * A self-supervised method: an encoder (the part that federates) plus whatever a method
 * trains or keeps beside it (projection head, predictor, momentum/target encoder, queue).
 *
 * Positive pairs: `view1[i]` and `view2[i]` are a positive pair. They may be two augmentations
 * of one image (default) or two different images of one study/patient (MICLe-style); the pairing
 * is the data loader's/trainer's choice, the methods accept any pair of equally-shaped batches.
 *
 * Training step protocol (the trainer's job):
 * ```ts
 * const { value, grads } = tf.variableGrads(() => method.loss(v1, v2, labels), method.trainableVariables());
 * optimizer.applyGradients(grads);
 * method.afterStep(step, totalSteps);
 * ```
 */
export interface SslMethod {
  readonly name: MethodName;
  /** The part that federates. */
  readonly encoder: Encoder;
  /** Variables the optimizer updates (online encoder + heads/predictor). */
  trainableVariables(): tf.Variable[];
  /**
   * Scalar loss for one batch of two views.
   * @param view1 [N,H,W,C] float32
   * @param view2 [N,H,W,C] float32, same shape
   * @param labels [N] int32 class labels (SupCon, Triplet); optional everywhere: without labels
   *   only view1[i]/view2[i] are positives.
   * Does not change parameters (safe inside tf.variableGrads). MoCo remembers the batch's keys
   * for `afterStep`; BatchNorm (if chosen) updates its running statistics.
   */
  loss(view1: tf.Tensor4D, view2: tf.Tensor4D, labels?: tf.Tensor1D): tf.Scalar;
  /**
   * State updates after an optimizer step: EMA of target/momentum nets (BYOL, MoCo) and queue
   * enqueue (MoCo). `step` is 0-based, counted over the whole run; `totalSteps` drives BYOL's
   * cosine τ schedule. No-op for SimCLR, SupCon, Triplet.
   */
  afterStep(step: number, totalSteps: number): void;
  /**
   * Named weights, live tensors owned by the method (do not dispose; clone to snapshot).
   * `federated`: the encoder's trainable weights ('encoder/…').
   * `local`: everything that stays at the site: heads ('projector/…', 'predictor/…'),
   * momentum/target nets ('target/…'), MoCo's queue ('queue' [K,P], 'queue_pointer' [1]),
   * BatchNorm running stats.
   */
  weights(): { federated: Map<string, tf.Tensor>; local: Map<string, tf.Tensor> };
  /**
   * Loads weights by name. `federated` must hold every federated name with matching sizes
   * (throws WeightMismatchError otherwise). `local`, when given, may be partial: only the
   * names it holds are set; unknown names throw. Target/momentum nets are not touched by
   * `federated`: they follow the online encoder through `afterStep`.
   */
  setWeights(federated: WeightValues, local?: WeightValues): void;
  dispose(): void;
}

/** Options common to every method; each field defaulted in `methods/methodConfig.ts`. */
export interface MethodConfigBase {
  encoder?: Partial<EncoderConfig>;
  /** Projection head; defaults to the method's paper head sized to the encoder. */
  projector?: HeadSpec;
  /** Seed for weight initialisation. */
  seed?: number;
}

export interface SimclrConfig extends MethodConfigBase { method: 'simclr'; temperature?: number }
export interface MocoConfig extends MethodConfigBase {
  method: 'moco';
  temperature?: number;
  /** Negatives kept in the queue (paper 65536; keep it ≤ dataset size for small sites). */
  queueSize?: number;
  /** EMA momentum of the key encoder (paper 0.999; 0.99 for small data). */
  momentum?: number;
}
export interface ByolConfig extends MethodConfigBase {
  method: 'byol';
  predictor?: HeadSpec;
  /** Base EMA rate τ_base, increased to 1 by a cosine over training (paper 0.996). */
  tauBase?: number;
}
export interface SupconConfig extends MethodConfigBase { method: 'supcon'; temperature?: number }
export interface TripletConfig extends MethodConfigBase {
  method: 'triplet';
  margin?: number;
  mining?: 'batch-hard' | 'semi-hard';
}

export type MethodConfig = SimclrConfig | MocoConfig | ByolConfig | SupconConfig | TripletConfig;

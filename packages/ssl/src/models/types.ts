import type * as tf from '@tensorflow/tfjs-core';

/** Normalisation after each convolution. GroupNorm federates cleanly (no batch statistics). */
export type NormKind = 'gn' | 'bn';

/**
 * Encoder architecture. All fields have defaults (see `models/encoderConfig.ts`).
 * - `resnet18`: BasicBlock stages [2,2,2,2] with widths [w, 2w, 4w, 8w].
 * - `smallcnn`: 4 conv layers (3×3, stride 2) with widths [w, 2w, 4w, 8w].
 */
export interface EncoderConfig {
  /** Layout. */
  arch: 'resnet18' | 'smallcnn';
  /** Base width: channels of the first stage (e.g. 16, 32, 64). */
  width: number;
  /** Input channels (1 for grey-level medical images). */
  inChannels: number;
  /** Expected square input side in pixels; only used to pick the stem and check inputs. */
  inputSize: number;
  /** Normalisation layer kind. */
  norm: NormKind;
  /** Groups for GroupNorm (clamped to divide each layer's channel count). */
  groups: number;
  /**
   * ResNet stem: 'small' = 3×3 conv stride 1, no max-pool (CIFAR style, for ≤ 64² inputs);
   * 'imagenet' = 7×7 conv stride 2 + 3×3 max-pool stride 2; 'auto' picks 'small' when inputSize ≤ 64.
   */
  stem: 'small' | 'imagenet' | 'auto';
}

/**
 * An image encoder: images [N,H,W,C] → features [N,D] (after global average pooling).
 * Its weights are the part that federates, under stable unique names such as
 * 'encoder/stage1/block0/conv1/kernel'.
 */
export interface Encoder {
  readonly config: EncoderConfig;
  /** D, the length of the pooled feature vector. */
  readonly featureDim: number;
  /**
   * Forward pass. x [N,H,W,C] float32 → [N,D].
   * `training` selects batch statistics for BatchNorm (and updates its running stats in place,
   * outside the gradient); GroupNorm behaves the same either way.
   */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** Variables updated by the optimizer (kernels, biases, norm scale/offset). */
  trainableVariables(): tf.Variable[];
  /**
   * All named weights, live variables owned by the encoder (do not dispose; clone to snapshot).
   * `federated`: trainable weights; `local`: BatchNorm running statistics (empty for GroupNorm).
   */
  weights(): { federated: Map<string, tf.Variable>; local: Map<string, tf.Variable> };
  dispose(): void;
}

import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderConfig } from './types.js';
import { ParamStore } from './paramStore.js';
import { makeNorm } from './norm.js';
import { SslConfigError } from '../methods/errors.js';

/**
 * The operations a network body is written in. A body is generic over the value type T so one
 * description builds both the functional encoder (T = tf.Tensor4D, `ConvEncoder`) and an equivalent
 * tfjs-layers model (T = SymbolicTensor, `encoderLayersModel`) with the same weight names.
 */
export interface LayerFactory<T> {
  /** k×k conv, no bias, zero padding `pad` on each side (PyTorch-style), He-normal (fan_out) init. */
  conv(name: string, k: number, cin: number, cout: number, stride: number, pad: number): (x: T) => T;
  /** The configured normalisation ('gn' or 'bn') over `channels`. */
  norm(name: string, channels: number): (x: T, training: boolean) => T;
  relu(x: T): T;
  add(a: T, b: T): T;
  /** 3×3 max-pool, stride 2, padding 1 (inputs are non-negative, after a ReLU). */
  maxPool(x: T): T;
}

/** Builds a body: x [N,H,W,C] → feature maps [N,h,w,D], and reports D. */
export type BodyBuilder = <T>(layers: LayerFactory<T>, config: EncoderConfig) => { body: (x: T, training: boolean) => T; featureDim: number };

/**
 * An Encoder from a body builder: global average pooling on top, weights named '<prefix>/…'.
 * Convolutions use explicit symmetric padding so that outputs match PyTorch's Conv2d(padding=p)
 * exactly (TF 'same' pads asymmetrically at stride 2).
 */
export class ConvEncoder implements Encoder {
  readonly featureDim: number;
  private readonly store: ParamStore;
  private readonly body: (x: tf.Tensor4D, training: boolean) => tf.Tensor4D;

  constructor(readonly config: EncoderConfig, build: BodyBuilder, prefix = 'encoder', seed = 0) {
    this.store = new ParamStore(seed);
    const store = this.store;
    const layers: LayerFactory<tf.Tensor4D> = {
      conv: (name, k, cin, cout, stride, pad) => {
        const kernel = store.normal(`${prefix}/${name}/kernel`, [k, k, cin, cout], Math.sqrt(2 / (k * k * cout))) as tf.Tensor4D;
        return (x) => tf.conv2d(x, kernel, stride, pad);
      },
      norm: (name, channels) => {
        const norm = makeNorm(store, `${prefix}/${name}`, channels, config.norm, config.groups);
        return (x, training) => norm(x, training) as tf.Tensor4D;
      },
      relu: (x) => tf.relu(x),
      add: (a, b) => tf.add(a, b),
      maxPool: (x) => tf.maxPool(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], -Infinity), 3, 2, 'valid'),
    };
    const { body, featureDim } = build(layers, config);
    this.body = body;
    this.featureDim = featureDim;
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    if (x.rank !== 4 || x.shape[3] !== this.config.inChannels) {
      throw new SslConfigError(`encoder input must be [N,H,W,${this.config.inChannels}], got [${x.shape}]`);
    }
    return tf.tidy(() => tf.mean(this.body(x, training), [1, 2]) as tf.Tensor2D);
  }

  trainableVariables(): tf.Variable[] {
    return [...this.store.trainable.values()];
  }

  weights(): { federated: Map<string, tf.Variable>; local: Map<string, tf.Variable> } {
    return { federated: new Map(this.store.trainable), local: new Map(this.store.state) };
  }

  dispose(): void {
    this.store.dispose();
  }
}

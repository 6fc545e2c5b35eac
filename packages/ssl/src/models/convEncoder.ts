import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderConfig } from './types.js';
import { ParamStore } from './paramStore.js';
import { makeNorm, type NormFn } from './norm.js';
import { SslConfigError } from '../methods/errors.js';

/** Forward function of a network body: x [N,H,W,C] → feature maps [N,h,w,D]. */
export type Body = (x: tf.Tensor4D, training: boolean) => tf.Tensor4D;

/** Builds a body's weights in a store; returns the forward and the channel count D. */
export type BodyBuilder = (layers: LayerFactory, config: EncoderConfig) => { body: Body; featureDim: number };

/** Creates named conv and norm layers under one prefix. */
export interface LayerFactory {
  /** k×k conv, no bias, zero padding `pad` on each side (PyTorch-style), He-normal (fan_out) init. */
  conv(name: string, k: number, cin: number, cout: number, stride: number, pad: number): (x: tf.Tensor4D) => tf.Tensor4D;
  norm(name: string, channels: number): NormFn;
}

/**
 * An Encoder from a body builder: global average pooling on top, weights named '<prefix>/…'.
 * Convolutions use explicit symmetric padding so that outputs match PyTorch's Conv2d(padding=p)
 * exactly (TF 'same' pads asymmetrically at stride 2).
 */
export class ConvEncoder implements Encoder {
  readonly featureDim: number;
  private readonly store: ParamStore;
  private readonly body: Body;

  constructor(readonly config: EncoderConfig, build: BodyBuilder, prefix = 'encoder', seed = 0) {
    this.store = new ParamStore(seed);
    const store = this.store;
    const layers: LayerFactory = {
      conv: (name, k, cin, cout, stride, pad) => {
        const kernel = store.normal(`${prefix}/${name}/kernel`, [k, k, cin, cout], Math.sqrt(2 / (k * k * cout))) as tf.Tensor4D;
        return (x) => tf.conv2d(x, kernel, stride, pad);
      },
      norm: (name, channels) => makeNorm(store, `${prefix}/${name}`, channels, config.norm, config.groups),
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

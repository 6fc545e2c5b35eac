import * as tf from '@tensorflow/tfjs-core';
import type { Encoder, EncoderConfig } from '../models/types.js';
import type { HeadSpec } from '../heads/types.js';
import { createEncoder } from '../models/createEncoder.js';
import { createHead, type HeadFn } from '../heads/createHead.js';
import { ParamStore } from '../models/paramStore.js';
import { SslConfigError } from './errors.js';
import { featureDimOf } from './methodConfig.js';

/**
 * Encoder + projector (+ predictor): the trainable part of a method, or its momentum/target copy.
 * Names: '<root>encoder/…', '<root>projector/…', '<root>predictor/…' with root '' or 'target/'.
 */
export class Network {
  readonly encoder: Encoder;
  readonly heads: ParamStore;
  private readonly projector: HeadFn;
  private readonly predictor?: HeadFn;

  constructor(encoderConfig: EncoderConfig, projector: HeadSpec, predictor: HeadSpec | undefined, seed: number, root = '') {
    if (projector[0]?.in !== featureDimOf(encoderConfig)) {
      throw new SslConfigError(`projector input ${projector[0]?.in} must equal the encoder's feature dimension ${featureDimOf(encoderConfig)}`);
    }
    this.encoder = createEncoder(encoderConfig, { prefix: `${root}encoder`, seed });
    this.heads = new ParamStore(seed + 1);
    this.projector = createHead(projector, this.heads, `${root}projector`);
    if (predictor) this.predictor = createHead(predictor, this.heads, `${root}predictor`);
  }

  /** Projection z = g(f(x)): x [N,H,W,C] → [N,P]. */
  project(x: tf.Tensor4D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => this.projector(this.encoder.apply(x, training), training));
  }

  /** Prediction q(z): [N,P] → [N,P] (BYOL). */
  predict(z: tf.Tensor2D, training: boolean): tf.Tensor2D {
    if (!this.predictor) throw new Error('this network has no predictor');
    return this.predictor(z, training);
  }

  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableVariables(), ...this.heads.trainable.values()];
  }

  /** Every named weight except the encoder's federated ones: heads and all running statistics. */
  localWeights(): Map<string, tf.Variable> {
    return new Map([...this.encoder.weights().local, ...this.heads.trainable, ...this.heads.state]);
  }

  /** Every named weight. */
  allWeights(): Map<string, tf.Variable> {
    return new Map([...this.encoder.weights().federated, ...this.localWeights()]);
  }

  dispose(): void {
    this.encoder.dispose();
    this.heads.dispose();
  }
}

/**
 * Exponential moving average target ← m·target + (1−m)·online, matched by name ('target/x' ↔ 'x');
 * running statistics are copied the same way. Runs in a tidy; allocates nothing that outlives it.
 */
export function emaUpdate(target: Network, online: Network, m: number): void {
  const src = online.allWeights();
  tf.tidy(() => {
    for (const [name, t] of target.allWeights()) {
      const o = src.get(name.replace(/^target\//, ''))!;
      t.assign(tf.add(tf.mul(t, m), tf.mul(o, 1 - m)));
    }
  });
}

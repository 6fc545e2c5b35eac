import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../augment/rng.js';
import { WeightMismatchError } from '../methods/errors.js';

/**
 * Named variables of one network part (encoder, head), created with seeded initialisers.
 * `trainable` ones are updated by the optimizer; `state` ones (BatchNorm running statistics)
 * are updated in place by the forward pass. Names are stable: they go on the wire and into files.
 * Variables are created unnamed in the tfjs engine, so several stores may share names.
 */
export class ParamStore {
  readonly trainable = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Normal(0, std) variable, e.g. He init std = √(2/fan). */
  normal(name: string, shape: number[], std: number): tf.Variable {
    return this.add(name, tf.randomNormal(shape, 0, std, 'float32', this.rng.int()), true);
  }

  /** Uniform(−bound, bound) variable (PyTorch's default Linear init uses bound = 1/√fan_in). */
  uniform(name: string, shape: number[], bound: number): tf.Variable {
    return this.add(name, tf.randomUniform(shape, -bound, bound, 'float32', this.rng.int()), true);
  }

  /** Constant-filled variable; trainable unless it is running state. */
  constant(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    return this.add(name, tf.fill(shape, value), trainable);
  }

  private add(name: string, init: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.trainable.has(name) || this.state.has(name)) throw new Error(`duplicate weight name ${name}`);
    const v = tf.variable(init, trainable);
    init.dispose();
    (trainable ? this.trainable : this.state).set(name, v);
    return v;
  }

  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
    for (const v of this.state.values()) v.dispose();
    this.trainable.clear();
    this.state.clear();
  }
}

/**
 * Assigns `values` to `targets` by name. With `complete`, every target must be given; any name
 * not in targets throws. Sizes must match exactly (Float32Array length or tensor shape).
 */
export function assignByName(
  targets: Map<string, tf.Variable>,
  values: Map<string, Float32Array | tf.Tensor>,
  complete: boolean,
): void {
  for (const name of values.keys()) {
    if (!targets.has(name)) throw new WeightMismatchError(`unknown weight '${name}': the model has no weight of that name (is the encoder config the same?)`);
  }
  if (complete) {
    const missing = [...targets.keys()].filter((n) => !values.has(n));
    if (missing.length) throw new WeightMismatchError(`missing ${missing.length} weight(s), e.g. '${missing[0]}'`);
  }
  for (const [name, value] of values) {
    const v = targets.get(name)!;
    const size = value instanceof Float32Array ? value.length : value.size;
    if (size !== v.size || (!(value instanceof Float32Array) && value.shape.join() !== v.shape.join())) {
      const got = value instanceof Float32Array ? `${value.length} floats` : `shape [${value.shape}]`;
      throw new WeightMismatchError(`weight '${name}': expected shape [${v.shape}] (${v.size} floats), got ${got}`);
    }
  }
  tf.tidy(() => {
    for (const [name, value] of values) {
      const v = targets.get(name)!;
      v.assign(value instanceof Float32Array ? tf.tensor(value, v.shape, 'float32') : tf.cast(value, 'float32'));
    }
  });
}

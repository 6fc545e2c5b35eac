import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../augment/rng.js';
import { ntXentLoss } from '../../losses/ntXent.js';
import type { Encoder } from '../../models/types.js';
import type { MakeViews } from '../batch.js';
import type { TrainableMethod } from '../trainer.js';

let instances = 0;

/**
 * A test double of an SslMethod, small enough for the cpu backend: a dense encoder
 * (flattened image → tanh(x·E), D=4), a projector P (4→3) and a BYOL-style EMA target of E that
 * enters the loss, so local state matters for resume. Loss: NT-Xent(z1, z2) + 0.1·‖z1 − t2‖².
 */
export function tinyMethod(inputSize: number, seed: number): TrainableMethod & { dispose(): void } {
  const id = instances++;
  const rng = new Rng(seed);
  const mk = (shape: number[], name: string, trainable = true) => {
    const init = tf.tidy(() => tf.mul(tf.tensor(rng.normals(shape[0]! * shape[1]!), shape), 0.3));
    const v = tf.variable(init, trainable, `tiny${id}/${name}`);
    init.dispose();
    return v;
  };
  const e = mk([inputSize, 4], 'encoder');
  const p = mk([4, 3], 'projector');
  const t = mk([inputSize, 4], 'target', false);
  t.assign(e);
  const ntXent = ntXentLoss({ temperature: 0.5 });
  const embed = (x: tf.Tensor4D, w: tf.Tensor) => tf.tanh(tf.matMul(tf.reshape(x, [x.shape[0], -1]), w)) as tf.Tensor2D;
  const encoder: Encoder = {
    config: { arch: 'smallcnn', width: 4, inChannels: 1, inputSize: Math.sqrt(inputSize), norm: 'gn', groups: 1, stem: 'small' },
    featureDim: 4,
    apply: (x) => tf.tidy(() => embed(x, e)),
    trainableVariables: () => [e],
    weights: () => ({ federated: new Map([['encoder/kernel', e]]), local: new Map() }),
    dispose: () => e.dispose(),
  };
  const byName: Record<string, tf.Variable> = { 'encoder/kernel': e, 'projector/kernel': p, 'target/kernel': t };
  const set = (name: string, value: Float32Array | tf.Tensor) => {
    const v = byName[name];
    if (!v) throw new Error(`unknown weight ${name}`);
    if (value instanceof Float32Array) {
      const x = tf.tensor(value, v.shape);
      v.assign(x);
      x.dispose();
    } else v.assign(value);
  };
  return {
    name: 'simclr',
    encoder,
    trainableVariables: () => [e, p],
    loss: (v1, v2) =>
      tf.tidy(() => {
        const z1 = tf.matMul(embed(v1, e), p) as tf.Tensor2D;
        const z2 = tf.matMul(embed(v2, e), p) as tf.Tensor2D;
        const t2 = tf.matMul(embed(v2, t), p);
        return tf.add(ntXent(z1, z2), tf.mul(0.1, tf.mean(tf.square(tf.sub(z1, t2))))) as tf.Scalar;
      }),
    afterStep: () => tf.tidy(() => t.assign(tf.add(tf.mul(t, 0.9), tf.mul(e, 0.1)))),
    weights: () => ({ federated: new Map([['encoder/kernel', e]]), local: new Map([['projector/kernel', p], ['target/kernel', t]]) }),
    setWeights: (federated, local) => {
      for (const [k, v] of federated) set(k, v);
      for (const [k, v] of local ?? []) set(k, v);
    },
    dispose: () => tf.dispose([e, p, t]),
  };
}

/** Views: Gaussian noise (σ 0.1) and a random horizontal flip, drawn from the step's generator. */
export const noisyViews: MakeViews = (images, rng) => {
  const one = () =>
    tf.tidy(() => {
      const noise = tf.tensor(rng.normals(images.size), images.shape);
      const x = tf.add(images, tf.mul(noise, 0.1)) as tf.Tensor4D;
      return rng.next() < 0.5 ? (tf.reverse(x, 2) as tf.Tensor4D) : x;
    });
  return [one(), one()];
};

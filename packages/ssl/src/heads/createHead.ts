import * as tf from '@tensorflow/tfjs-core';
import type { HeadSpec } from './types.js';
import type { ParamStore } from '../models/paramStore.js';
import { makeNorm } from '../models/norm.js';
import { SslConfigError } from '../methods/errors.js';

/** Default GroupNorm groups in heads ('gn' blocks). */
const HEAD_GROUPS = 8;

/** A head bound to its weights: x [N,in] → [N,out]. */
export type HeadFn = (x: tf.Tensor2D, training: boolean) => tf.Tensor2D;

/**
 * Creates the weights of a head in `store` under `prefix` ('<prefix>/block{i}/linear/kernel' [in,out],
 * '<prefix>/block{i}/linear/bias' [out] when the block has no norm, '<prefix>/block{i}/norm/…')
 * and returns its forward. Linear init is PyTorch's default, U(±1/√in).
 */
export function createHead(spec: HeadSpec, store: ParamStore, prefix: string): HeadFn {
  if (spec.length === 0) throw new SslConfigError(`${prefix}: a head needs at least one block`);
  spec.forEach((b, i) => {
    if (!Number.isInteger(b.in) || !Number.isInteger(b.out) || b.in < 1 || b.out < 1) {
      throw new SslConfigError(`${prefix}/block${i}: in = ${b.in}, out = ${b.out}; both must be positive integers`);
    }
    if (i > 0 && b.in !== spec[i - 1]!.out) {
      throw new SslConfigError(`${prefix}/block${i}: in = ${b.in} does not match the previous block's out = ${spec[i - 1]!.out}`);
    }
  });
  const blocks = spec.map((b, i): HeadFn => {
    const name = `${prefix}/block${i}`;
    const norm = b.norm ?? 'none';
    const relu = (b.activation ?? 'none') === 'relu';
    const bound = 1 / Math.sqrt(b.in);
    const kernel = store.uniform(`${name}/linear/kernel`, [b.in, b.out], bound) as tf.Tensor2D;
    if (norm === 'none') {
      const bias = store.uniform(`${name}/linear/bias`, [b.out], bound) as tf.Tensor1D;
      return (x) => tf.fused.matMul({ a: x, b: kernel, bias, activation: relu ? 'relu' : 'linear' }) as tf.Tensor2D;
    }
    const normFn = makeNorm(store, `${name}/norm`, b.out, norm, HEAD_GROUPS);
    return (x, training) => tf.tidy(() => {
      const h = normFn(tf.matMul(x, kernel), training) as tf.Tensor2D;
      return relu ? tf.relu(h) : h;
    });
  });
  return (x, training) => {
    if (x.rank !== 2 || x.shape[1] !== spec[0]!.in) throw new SslConfigError(`${prefix}: expected input [N,${spec[0]!.in}], got [${x.shape}]`);
    return tf.tidy(() => blocks.reduce<tf.Tensor2D>((h, block) => block(h, training), x));
  };
}

import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './paramStore.js';
import { groupNorm, groupsFor } from './groupNorm.js';
import { groupNormFused } from './groupNormFused.js';
import { batchNorm } from './batchNorm.js';
import { fusedGroupNorm, hasFusedGroupNorm } from '../backend/groupNormKernels.js';

/** A normalisation layer bound to its weights: x [N,…,C] → same shape. */
export type NormFn = (x: tf.Tensor, training: boolean) => tf.Tensor;

/**
 * Creates the weights of a GroupNorm ('gn') or BatchNorm ('bn') layer named `name` in `store`
 * ('<name>/gamma', '<name>/beta'; BatchNorm also '<name>/moving_mean', '<name>/moving_variance' as
 * local state) and returns its forward function.
 */
export function makeNorm(store: ParamStore, name: string, channels: number, kind: 'gn' | 'bn', groups: number): NormFn {
  const gamma = store.constant(`${name}/gamma`, [channels], 1) as tf.Tensor1D;
  const beta = store.constant(`${name}/beta`, [channels], 0) as tf.Tensor1D;
  if (kind === 'gn') {
    const g = groupsFor(channels, groups);
    // The backend's fused kernel (wasm, cpu after initBackend) when registered: one pass, no
    // saved intermediates, so batch 64 at 64² fits the wasm heap; else the op-level versions.
    return (x) => {
      if (hasFusedGroupNorm()) return fusedGroupNorm(x, gamma, beta, g);
      return x.rank === 4 ? groupNormFused(x as tf.Tensor4D, gamma, beta, g) : groupNorm(x, gamma, beta, g);
    };
  }
  const state = {
    movingMean: store.constant(`${name}/moving_mean`, [channels], 0, false),
    movingVariance: store.constant(`${name}/moving_variance`, [channels], 1, false),
  };
  return (x, training) => batchNorm(x, gamma, beta, state, training);
}

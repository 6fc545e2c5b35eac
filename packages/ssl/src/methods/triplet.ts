import * as tf from '@tensorflow/tfjs-core';
import '../models/registerGradients.js';
import { MethodBase } from './methodBase.js';
import type { ResolvedMethodConfig } from './methodConfig.js';
import { tripletLoss } from '../losses/triplet.js';

/**
 * Triplet learning with online mining [arXiv:1703.07737, arXiv:1503.03832] over the 2N projections.
 * With labels [N] int, views of the same label are positives; without, only view1[i]/view2[i].
 */
export class Triplet extends MethodBase {
  readonly name = 'triplet' as const;
  private readonly lossFn;

  constructor(config: ResolvedMethodConfig) {
    super(config, false);
    this.lossFn = tripletLoss({ margin: config.margin, mining: config.mining });
  }

  loss(view1: tf.Tensor4D, view2: tf.Tensor4D, labels?: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const n = view1.shape[0];
      const ids = labels ? tf.cast(labels, 'int32') : tf.range(0, n, 1, 'int32');
      const z = tf.concat([this.online.project(view1, true), this.online.project(view2, true)], 0) as tf.Tensor2D;
      return this.lossFn(z, tf.concat([ids, ids]) as tf.Tensor1D);
    });
  }
}

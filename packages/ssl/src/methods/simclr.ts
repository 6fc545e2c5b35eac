import * as tf from '@tensorflow/tfjs-core';
import '../models/registerGradients.js';
import { MethodBase } from './methodBase.js';
import type { ResolvedMethodConfig } from './methodConfig.js';
import { ntXentLoss } from '../losses/ntXent.js';

/**
 * SimCLR [arXiv:2002.05709]: one network f, projection g, NT-Xent over the 2N projections.
 * view1[i], view2[i] [N,H,W,C] are positives; labels are ignored. No state besides the weights.
 */
export class SimClr extends MethodBase {
  readonly name = 'simclr' as const;
  private readonly lossFn;

  constructor(config: ResolvedMethodConfig) {
    super(config, false);
    this.lossFn = ntXentLoss({ temperature: config.temperature });
  }

  loss(view1: tf.Tensor4D, view2: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => this.lossFn(this.online.project(view1, true), this.online.project(view2, true)));
  }
}

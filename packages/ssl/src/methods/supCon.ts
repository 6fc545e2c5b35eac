import * as tf from '@tensorflow/tfjs-core';
import '../models/registerGradients.js';
import { MethodBase } from './methodBase.js';
import type { ResolvedMethodConfig } from './methodConfig.js';
import { supConLoss } from '../losses/supCon.js';

/**
 * Supervised contrastive learning [arXiv:2004.11362]: SimCLR's network with L^sup_out, where all
 * views sharing a label are positives. labels [N] int are optional: without them it is SimCLR.
 */
export class SupCon extends MethodBase {
  readonly name = 'supcon' as const;
  private readonly lossFn;

  constructor(config: ResolvedMethodConfig) {
    super(config, false);
    this.lossFn = supConLoss({ temperature: config.temperature });
  }

  loss(view1: tf.Tensor4D, view2: tf.Tensor4D, labels?: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => this.lossFn(this.online.project(view1, true), this.online.project(view2, true), labels));
  }
}

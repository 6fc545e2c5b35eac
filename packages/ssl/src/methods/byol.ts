import * as tf from '@tensorflow/tfjs-core';
import '../models/registerGradients.js';
import { MethodBase } from './methodBase.js';
import type { ResolvedMethodConfig } from './methodConfig.js';
import { emaUpdate } from './network.js';
import { byolLoss } from '../losses/byol.js';

/**
 * BYOL [arXiv:2006.07733]: online encoder + projector + predictor, target encoder + projector
 * updated as an EMA of the online ones with τ rising from τ_base to 1 by a cosine (§3.2).
 * Symmetric loss: predictions of each view regress the target projection of the other.
 */
export class Byol extends MethodBase {
  readonly name = 'byol' as const;
  private readonly lossFn = byolLoss();

  constructor(config: ResolvedMethodConfig) {
    super(config, true);
  }

  loss(view1: tf.Tensor4D, view2: tf.Tensor4D): tf.Scalar {
    return tf.tidy(() => {
      const p1 = this.online.predict(this.online.project(view1, true), true);
      const p2 = this.online.predict(this.online.project(view2, true), true);
      const t1 = this.target!.project(view1, true);
      const t2 = this.target!.project(view2, true);
      return this.lossFn(p1, p2, t1, t2);
    });
  }

  override afterStep(step: number, totalSteps: number): void {
    emaUpdate(this.target!, this.online, byolTau(this.config.tauBase!, step, totalSteps));
  }
}

/** BYOL §3.2: τ = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2 at step k of K. */
export function byolTau(tauBase: number, step: number, totalSteps: number): number {
  const k = Math.min(Math.max(step, 0), Math.max(totalSteps, 1));
  return 1 - ((1 - tauBase) * (Math.cos((Math.PI * k) / Math.max(totalSteps, 1)) + 1)) / 2;
}

import * as tf from '@tensorflow/tfjs-core';
import { SlotOptimizer } from './slotOptimizer.js';
import { OptimizerError, type SgdConfig } from './types.js';

/**
 * SGD with momentum (see `SgdConfig`). Per variable:
 * g ← g + wd·w; b ← μb + g; d = nesterov ? g + μb : b; w ← w − lr·d.
 */
export class Sgd extends SlotOptimizer<SgdConfig> {
  protected readonly slotNames = ['momentum'] as const;

  constructor(config: Omit<SgdConfig, 'kind'> = {}) {
    const c = { kind: 'sgd' as const, momentum: 0.9, nesterov: false, weightDecay: 0, ...config };
    if (!(c.momentum >= 0 && c.momentum < 1)) throw new OptimizerError(`sgd momentum must be in [0, 1), got ${c.momentum}`);
    if (!(c.weightDecay >= 0)) throw new OptimizerError(`sgd weightDecay must be ≥ 0, got ${c.weightDecay}`);
    if (c.nesterov && c.momentum === 0) throw new OptimizerError('sgd nesterov needs momentum > 0');
    super(c);
  }

  protected update(w: tf.Tensor, g: tf.Tensor, s: Record<string, tf.Tensor>, lr: number) {
    const { momentum, nesterov, weightDecay } = this.opts;
    const grad = weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
    const b = tf.add(tf.mul(s.momentum!, momentum), grad);
    const d = nesterov ? tf.add(grad, tf.mul(b, momentum)) : b;
    return { w: tf.sub(w, tf.mul(d, lr)), slots: { momentum: b } };
  }
}

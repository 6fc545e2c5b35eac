import * as tf from '@tensorflow/tfjs-core';
import { SlotOptimizer } from './slotOptimizer.js';
import { OptimizerError, type LarsConfig } from './types.js';

/**
 * LARS (see `LarsConfig`). Per variable (a "layer" in the paper's sense):
 * g ← g + wd·w; trust = η‖w‖/‖g‖ if both norms > 0 else 1; v ← μv + lr·trust·g;
 * w ← w − (nesterov ? μv + lr·trust·g : v).
 * Vectors (rank ≤ 1) skip weight decay and trust when `excludeVectors`.
 */
export class Lars extends SlotOptimizer<LarsConfig> {
  protected readonly slotNames = ['momentum'] as const;

  constructor(config: Omit<LarsConfig, 'kind'> = {}) {
    const c = {
      kind: 'lars' as const,
      momentum: 0.9,
      weightDecay: 1e-6,
      trustCoefficient: 0.001,
      nesterov: false,
      excludeVectors: true,
      ...config,
    };
    if (!(c.momentum >= 0 && c.momentum < 1)) throw new OptimizerError(`lars momentum must be in [0, 1), got ${c.momentum}`);
    if (!(c.weightDecay >= 0)) throw new OptimizerError(`lars weightDecay must be ≥ 0, got ${c.weightDecay}`);
    if (!(c.trustCoefficient > 0)) throw new OptimizerError(`lars trustCoefficient must be > 0, got ${c.trustCoefficient}`);
    super(c);
  }

  protected update(w: tf.Tensor, g: tf.Tensor, s: Record<string, tf.Tensor>, lr: number) {
    const { momentum, weightDecay, trustCoefficient, nesterov, excludeVectors } = this.opts;
    const adapt = !(excludeVectors && w.rank <= 1);
    const grad = adapt && weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
    let scaledLr: tf.Tensor = tf.scalar(lr);
    if (adapt) {
      const wNorm = tf.norm(w);
      const gNorm = tf.norm(grad);
      const ratio = tf.div(tf.mul(wNorm, trustCoefficient), tf.maximum(gNorm, 1e-30));
      const trust = tf.where(tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0)), ratio, tf.onesLike(ratio));
      scaledLr = tf.mul(trust, lr);
    }
    const step = tf.mul(grad, scaledLr);
    const v = tf.add(tf.mul(s.momentum!, momentum), step);
    const d = nesterov ? tf.add(tf.mul(v, momentum), step) : v;
    return { w: tf.sub(w, d), slots: { momentum: v } };
  }
}
